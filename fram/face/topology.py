"""Landmark contours of the face mesh (MediaPipe topology) that outline its features.

Person's right = image left on a frontal face. Contours are index tuples into the
468 landmarks; :func:`ring` and :func:`loop` join two of them into a closed outline.
"""

from __future__ import annotations

# Contours (MediaPipe topology), person's right = image left on a frontal face.
UPPER_LIP_OUTER = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291)
LOWER_LIP_OUTER = (291, 375, 321, 405, 314, 17, 84, 181, 91, 146, 61)
UPPER_LIP_INNER = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
LOWER_LIP_INNER = (308, 324, 318, 402, 317, 14, 87, 178, 88, 95, 78)
RIGHT_EYE_UPPER = (33, 246, 161, 160, 159, 158, 157, 173, 133)
RIGHT_EYE_LOWER = (133, 155, 154, 153, 145, 144, 163, 7, 33)
LEFT_EYE_UPPER = (263, 466, 388, 387, 386, 385, 384, 398, 362)
LEFT_EYE_LOWER = (362, 382, 381, 380, 374, 373, 390, 249, 263)
RIGHT_BROW_UPPER = (70, 63, 105, 66, 107)
RIGHT_BROW_LOWER = (46, 53, 52, 65, 55)
LEFT_BROW_UPPER = (300, 293, 334, 296, 336)
LEFT_BROW_LOWER = (276, 283, 282, 295, 285)
# A curve under each eye along the top of the cheek, bounding the under-eye zone.
RIGHT_UNDER_EYE = (35, 111, 117, 118, 119, 120, 121, 128, 245)
LEFT_UNDER_EYE = (265, 340, 346, 347, 348, 349, 350, 357, 465)
NOSE = (168, 122, 188, 114, 217, 198, 209, 49, 64, 98, 97, 2, 326, 327, 294, 279, 429, 420, 437, 343, 412, 351)
FACE_OVAL = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
    152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
)
# Blush anchors: the cheek apple and the top of the cheekbone toward the temple.
RIGHT_CHEEK_APPLE, LEFT_CHEEK_APPLE = 205, 425
RIGHT_CHEEKBONE, LEFT_CHEEKBONE = 116, 345

EYE_CONTOURS = ((RIGHT_EYE_UPPER, RIGHT_EYE_LOWER), (LEFT_EYE_UPPER, LEFT_EYE_LOWER))
"""(upper lid, lower lid) of the right, then the left eye."""
BROW_CONTOURS = ((RIGHT_BROW_UPPER, RIGHT_BROW_LOWER), (LEFT_BROW_UPPER, LEFT_BROW_LOWER))
"""(upper edge, lower edge) of the right, then the left brow."""


def ring(indices: tuple[int, ...], reverse: tuple[int, ...]) -> tuple[int, ...]:
    """A closed band between two contours drawn in the same direction."""
    return tuple(indices) + tuple(reversed(reverse))


def loop(first: tuple[int, ...], second: tuple[int, ...]) -> tuple[int, ...]:
    """A closed loop from two contours that meet end to start (upper + lower lid)."""
    return tuple(first) + tuple(second[1:-1])
