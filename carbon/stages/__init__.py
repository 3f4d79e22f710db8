"""Stages: one adapter per computing room for the runner (typed section in, StageOutput out).

Stages sit above the computing rooms: they may call several rooms' public functions in turn
(the pathway stage projects activity, accounts it with the inventory, asks the coupling room for
the power sector, then assembles), but they hold no computing of their own beyond that glue.
"""
