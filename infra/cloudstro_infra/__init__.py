"""CloudStro's AWS deployment as a CDK app: tables, functions, queue, schedules, alarms.

It lives beside the product, not inside it: the CDK and jsii pin their own dependencies
(jsii pins `typeguard`), so this package has its own virtualenv and requirements and never
reaches the product's environment or its Lambda bundles.
"""
