"""Learned scoring: conversion likelihood and churn models trained on a project's own data.

Entry point: ``leadpulse.predictive.pipeline.train_model``. Heavy modules (``dataset``,
``fitting``, ``evaluation``) import numpy and scikit-learn; everything else here, and the
pure arithmetic in ``leadpulse.core`` (features, targets, likelihood, suggest, readiness), does
not, so importing this package never loads them.
"""
