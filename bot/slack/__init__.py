"""planbot in Slack: a Bolt app over the same core as ``planbot ask``.

``create_app`` (app.py) builds the app; listeners/ holds one package per kind of
request (events, commands, actions, views); runner.py runs it in Socket Mode or
behind waitress in HTTP mode. Listeners ack first and do the work in Bolt lazy
listeners, so Slack always gets its acknowledgement within 3 seconds.
"""
