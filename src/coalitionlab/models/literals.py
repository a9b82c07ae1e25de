"""Option strings of the models stage, kept in one place (checked by ``check_option``)."""

from typing import Literal, get_args

Method = Literal["logit", "probit", "firth", "clogit", "lpm"]
METHODS: tuple[str, ...] = get_args(Method)
