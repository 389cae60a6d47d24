"""SMS through Twilio: inbound webhook, outbound senders, the ``sms.send`` task and 短信评议."""
