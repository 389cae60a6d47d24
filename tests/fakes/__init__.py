"""Fakes of the outside world (Asterisk AMI, ...) that speak the real protocols."""
