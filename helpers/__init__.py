"""The helpers of *Gym on a Server*: chapters import ``helpers.render``, which re-exports the rest."""
