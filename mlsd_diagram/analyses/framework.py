"""The 7-step ML system design framework (Aminian & Xu, ch. 1): step titles and interview time boxes.

One table for the design doc (its sections), the interview talk track (``mlsd doc --interview``)
and practice mode (the exercise's plan and the scorecard's steps).
"""

from __future__ import annotations

STEPS: tuple[tuple[int, str], ...] = (
    (1, "Clarifying requirements"),
    (2, "Framing as an ML task"),
    (3, "Data preparation"),
    (4, "Model development"),
    (5, "Evaluation"),
    (6, "Deployment and serving"),
    (7, "Monitoring and infrastructure"),
)

# (step, minutes): 45 minutes in all, the last two for the failure modes and questions back
TIME_BOXES: tuple[tuple[int, int], ...] = ((1, 5), (2, 5), (3, 7), (4, 10), (5, 5), (6, 7), (7, 4))
WRAP_UP_MINUTES = 2

__all__ = ["STEPS", "TIME_BOXES", "WRAP_UP_MINUTES"]
