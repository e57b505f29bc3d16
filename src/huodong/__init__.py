"""huodong (活动): the closed-loop platform for an enterprise's marketing events."""

__version__ = "0.1.0"
