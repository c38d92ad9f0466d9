"""Batch work at scale: each scheduled job as "find what is due" plus "do one unit".

Locally the jobs run their units on a thread pool (`cloudstro sync --all`, `digest run-due`,
`insights refresh`); on AWS a scheduled due-finder puts one queue message per unit and a
worker with bounded concurrency runs each message through the very same unit function. This
package only composes the jobs' own functions (ingest/, insights/, digests/); like every
batch job it never imports a channel.
"""
