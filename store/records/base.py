"""What every record shares: strict-on-write, tolerant-on-read validation, and derived
attributes filled once.

These are the parts of `store.records` the record modules build on; they sit apart so that a
record module reads as its attributes and its derived keys, and the read/write rules (see the
package docstring) live in one place.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    model_validator,
)
from pydantic_core import PydanticCustomError

from cloudstro.store.platforms import PLATFORM_NAMES, PlatformName

# The platform registry's names, under the names record code has always used.
Platform = PlatformName
PLATFORMS: tuple[str, ...] = PLATFORM_NAMES



# --------------------------------------------------------------------------- reading

_READ_FLAG = "cloudstro.reading"
READING: dict[str, bool] = {_READ_FLAG: True}  # the validation context of a read


def is_reading(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get(_READ_FLAG))


def _required_on_write(value: Any, info: ValidationInfo) -> Any:
    if value is None and not is_reading(info):
        raise PydanticCustomError("missing", "Field required")
    return value


T = TypeVar("T")
# Required when a record is written, may be absent (None) when an item is read back.
OptionalOnRead = Annotated[T | None, AfterValidator(_required_on_write),
                           Field(validate_default=True)]


class Stored(BaseModel):
    """A stored shape, whole record or nested part: strict on write, tolerant on read."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False, frozen=False)

    @model_validator(mode="wrap")
    @classmethod
    def _prepare(cls, data: Any, handler: ValidatorFunctionWrapHandler,
                 info: ValidationInfo) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            if is_reading(info):
                data = {name: value for name, value in data.items() if name in cls.model_fields}
                cls._fill_on_read(data)
            cls._derive(data)
        return handler(data)

    @classmethod
    def _fill_on_read(cls, data: dict[str, Any]) -> None:
        """On read, fill absent attributes the item still implies (its key spells most out)."""

    @classmethod
    def _derive(cls, data: dict[str, Any]) -> None:
        """Fill absent derived attributes in place; subclasses override."""

    @classmethod
    def from_stored(cls, item: dict[str, Any]) -> Self:
        """Validate an item read from DynamoDB, tolerantly (see the module docstring)."""
        return cls.model_validate(item, context=READING)


class Record(Stored):
    """Common behaviour of the five record types: derived attributes filled once."""

    DERIVED: ClassVar[tuple[str, ...]] = ()

    def to_record(self) -> dict[str, Any]:
        """The item as the seed shows it: JSON types, absent optionals left out."""
        return self.model_dump(mode="json", exclude_none=True)

    def rebuild(self, **changes: Any) -> Self:
        """A copy with `changes` applied and every derived attribute derived again."""
        data = self.to_record()
        for name in self.DERIVED:
            data.pop(name, None)
        data.update({key: value for key, value in changes.items()})
        return type(self).model_validate(data)


def fill_from_key(data: dict[str, Any], key: str, first: str, second: str,
               from_right: bool = False) -> None:
    """Fill `first`/`second` from a `first#second` key attribute when they are absent."""
    value = data.get(key)
    if not isinstance(value, str) or "#" not in value:
        return
    head, tail = value.rsplit("#", 1) if from_right else value.split("#", 1)
    data.setdefault(first, head)
    data.setdefault(second, tail)
