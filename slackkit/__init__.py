"""Slack text shared by the live Slack app and the batch jobs that post to Slack.

It sits apart from `channels/` so a digest run can use it without importing the Slack app.
"""
