"""What the live Slack app and the batch jobs that post to Slack share: the one Web API client
(`client`, one retry policy, one `SlackNotConfigured`) and text that is safe to post
(`safe_text`).

It sits apart from `channels/` so a digest run can use it without importing the Slack app.
"""
