"""Finding unit names in directive text and matching them to the unit registry.

Names are compared in a canonical form: folded (no case, no diacritics),
abbreviations expanded (:mod:`.abbreviations`), punctuation and the words
that vary between writers dropped ("và", "Việt Nam", a trailing bare
"huyện"), so that "Văn phòng HĐND-UBND huyện", "Văn phòng HĐND và UBND
huyện" and an OCR "Van phong HDND-UBND huyén" are one name. When the exact
form is not in the registry, the closest registry name is taken if its
:class:`difflib.SequenceMatcher` ratio reaches :data:`FUZZY_THRESHOLD`
(scans lose diacritics and letters: "Phong Nai vu" is "Phòng Nội vụ"). When
several units share a name ("Văn phòng Sở", "Bưu điện huyện"), the one
closest to the issuing unit in the tree wins.

Groups of units ("UBND các xã, thị trấn", "các phòng chuyên môn", "các sở,
ban, ngành") are recognised and fan out to the units of that kind under the
issuing unit's district or province.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher

from cchc.lib.dates import fold_aligned

from .abbreviations import expand
from .names import is_bare_head, leader_span, unknown_name_end
from .registry_unit import (
    COMMUNE,
    DEPARTMENT,
    DISTRICT,
    ISSUER_KINDS,
    OFFICE,
    PROVINCE,
    PUBLIC_SERVICE_UNIT,
    SUBTYPE_COMMUNE,
    SUBTYPE_SPECIAL_ZONE,
    SUBTYPE_TOWNSHIP,
    SUBTYPE_WARD,
    RegistryUnit,
    UnitSource,
)
from .rules import fire
from .text_view import TOKEN_RE, TextView
from .vocabulary import alternation, words

FUZZY_THRESHOLD = 0.84
_MAX_NAME_TOKENS = 14

_LEVEL_WORDS = ("huyen", "tinh", "xa", "phuong", "thi tran", "thi xa", "thanh pho", "quan", "dac khu")
# A person's title (data/person_titles.txt) before the unit the person leads.
_TITLE_WORDS = re.compile(
    rf"(?:{alternation('person_titles')})\s+"
    r"(?=cac\s|bo\s|uy\s|ubnd|ph[a-z]{1,2}ng\s|so\s|ban\s|van\s+phong|trung\s+tam|cong\s+an|thanh\s+tra|chi\s+cuc|kho\s+bac"
    r"|co\s+quan\s+(?:ngang\s+bo|thuoc\s+chinh\s+phu|trung\s+uong)"
    r"|bao\s+hiem|dai\s|bao\s|ngan\s+hang|(?:tinh|thanh|huyen|dang)\s+uy|tap\s+doan|tong\s+cong\s+ty)"
)
_TITLE_IN_NAME_RE = re.compile(
    r"(?<![a-z])(?:bo\s+truong\s+(?=(?:cac\s+)?bo\s)|(?:pho\s+)?(?:chu\s+tich|thu\s+truong|giam\s+doc|nguoi\s+dung\s+dau"
    r"|chanh|truong)\s+(?=cac\s|uy\s|phong\s|so\s|ban\s|van\s+phong|trung\s+tam|cong\s+an|thanh\s+tra"
    r"|co\s+quan\s+(?:ngang\s+bo|(?:truc\s+)?thuoc\s+chinh\s+phu))"
    r"|(?:pho\s+)?thong\s+doc\s+(?=ngan\s+hang\s)|(?:pho\s+)?bi\s+thu\s+(?=(?:tinh|thanh|huyen|dang)\s+uy))"
)
# A title alone before a comma and another title with its unit ("Bộ trưởng, Thủ trưởng cơ quan ngang bộ").
_BARE_TITLE_RE = re.compile(rf"(?:{alternation('person_titles')})\s*,\s*")
_PEOPLES_COMMITTEE = ("uy ban nhan dan ", "hoi dong nhan dan ")


def canonical(text: str) -> str:
    """Canonical form of a unit name (see the module docstring)."""
    tokens: list[str] = []
    for token in TOKEN_RE.findall(fold_aligned(text)):
        tokens.extend(expand(token).split())
    words = " ".join(word for word in tokens if word != "va")
    words = words.replace("viet nam ", "").removesuffix(" viet nam")
    # A person's title is not part of the unit: "Thủ trưởng các sở, ban, ngành, Chủ tịch UBND các xã".
    words = _TITLE_IN_NAME_RE.sub("", words)
    for prefix in _PEOPLES_COMMITTEE:
        rest = words.removeprefix(prefix)
        if rest != words and rest.startswith(_LEVEL_WORDS) and rest not in _LEVEL_WORDS:
            words = rest
            break
    for level in _LEVEL_WORDS:
        stem = words.removesuffix(" " + level)
        if stem != words and not stem.startswith(_LEVEL_WORDS) and " " in stem:
            words = stem
            break
    return words


@dataclass(frozen=True)
class UnitRef:
    """A unit named in the text: one registry unit, a group fanned out, or a name the registry lacks."""

    text: str
    start: int
    end: int
    unit: RegistryUnit | None = None
    members: tuple[RegistryUnit, ...] = ()
    kind: str = "unit"  # "unit", "group", "unknown" (offer creation or mapping), "generic" ("các cơ quan liên quan")

    @property
    def name(self) -> str:
        return self.unit.name if self.unit is not None else self.text

    @property
    def ids(self) -> list[int]:
        if self.unit is not None:
            return [self.unit.id]
        return [member.id for member in self.members]


_X = r"(?:x[a-z0-9&]?)"
_CAC = r"c[a-z0-9]c"
_COMMUNE_WORD = rf"(?:{_X}|phuong|thi\s+tran|dac\s+khu)"
_GROUPS: list[tuple[str, re.Pattern[str]]] = [
    (
        "communes",
        re.compile(
            rf"(?:(?:uy\s+ban\s+nhan\s+dan|ubnd|ub)\s+)?(?:{_CAC}\s+{_COMMUNE_WORD}(?:\s*(?:,|;|va|/)\s*{_COMMUNE_WORD})*"
            rf"|cap\s+{_X})(?:\s+tren\s+dia\s+ban(?:\s+(?:huyen|tinh|thanh\s+pho))?)?(?![a-z])"
        ),
    ),
    (
        # "UBND xã, phường" (no "các"): every commune and ward, when two levels are listed after the committee.
        "communes",
        re.compile(
            rf"(?:uy\s+ban\s+nhan\s+dan|ubnd|ub)\s+{_COMMUNE_WORD}(?:\s*(?:,|;|va|/)\s*{_COMMUNE_WORD})+(?![a-z])"
        ),
    ),
    (
        # "UBND các huyện, thành phố, thị xã", "các quận, huyện": districts of the province (before July 2025).
        "districts",
        re.compile(
            r"(?:(?:uy\s+ban\s+nhan\s+dan|ubnd|ub)\s+)?c[a-z0-9]c\s+(?:quan|huyen|thi\s+xa|thanh\s+pho(?:\s+truc\s+thuoc\s+tinh)?)"
            r"(?:\s*(?:,|;|va|/|-)\s*(?:quan|huyen|thi\s+xa|thanh\s+pho(?:\s+truc\s+thuoc\s+tinh)?))*(?![a-z])"
        ),
    ),
    (
        "departments",
        re.compile(
            rf"(?:{_CAC}\s+so(?:\s*,?\s*ban)?|so\s*,\s*ban)\s*,?\s*nganh(?:\s*,?\s*(?:doan\s+the|to\s+chuc\s+chinh\s+tri\s*-?\s*xa\s+hoi|dia\s+phuong|don\s+vi|hoi(?![a-z])))*(?:\s+(?:cap\s+)?(?:tinh|thanh\s+pho))?(?![a-z])"
        ),
    ),
    (
        "offices",
        re.compile(
            rf"{_CAC}\s+(?:phong\s*(?:,\s*ban)?(?:\s*,?\s*don\s+vi)?(?:\s+chuyen\s+mon)?|co\s+quan\s+chuyen\s+mon)"
            r"(?:\s*(?:,|;|va)?\s*(?:cac\s+)?don\s+vi\s+su\s+nghiep(?:\s+cong\s+lap)?)?"
            r"(?:\s+(?:truc\s+thuoc|thuoc)(?:\s+(?:uy\s+ban\s+nhan\s+dan|ubnd)\s+(?:huyen|tinh|thanh\s+pho|thi\s+xa|phuong|xa"
            r"|dac\s+khu|thi\s+tran)"
            r"|\s+van\s+phong(?:\s+(?:uy\s+ban\s+nhan\s+dan|ubnd)\s+(?:tinh|huyen))?|\s+vp|\s+so)?)?(?![a-z])"
        ),
    ),
    (
        "public_service_units",
        re.compile(
            r"(?:cac\s+)?don\s+vi\s+su\s+nghiep(?:\s+cong\s+lap)?"
            r"(?:\s+(?:truc\s+thuoc|thuoc)(?:\s+(?:uy\s+ban\s+nhan\s+dan|ubnd)\s+(?:huyen|tinh))?)?(?![a-z])"
        ),
    ),
    (
        # "cơ quan ngang bộ, cơ quan thuộc Chính phủ" after a title ("Thủ trưởng cơ quan ngang bộ"): the class of
        # central bodies, named without "các".
        "generic",
        re.compile(
            r"co\s+quan\s+(?:ngang\s+bo|(?:truc\s+)?thuoc\s+chinh\s+phu)"
            r"(?:\s*,\s*(?:(?:thu\s+truong\s+)?co\s+quan\s+(?:ngang\s+bo|(?:truc\s+)?thuoc\s+chinh\s+phu)))*(?![a-z])"
        ),
    ),
    (
        "generic",
        re.compile(
            rf"(?:{_CAC}|nhung)\s+(?:co\s+quan|don\s+vi|dia\s+phuong|to\s+chuc(?:\s+chinh\s+tri\s*-?\s*xa\s+hoi)?|ca\s+nhan|doan\s+the"
            r"|hoi\s+doan\s+the|bo(?=\s*,|\s+nganh|\s+(?:co\s+)?lien\s+quan))"
            r"(?:\s+(?:trung\s+uong(?:\s+va\s+dia\s+phuong)?|ngang\s+bo|thuoc\s+chinh\s+phu)(?![a-z]))?"
            r"(?:\s*,\s*(?:don\s+vi|dia\s+phuong|to\s+chuc|doan\s+the|nganh|co\s+quan(?:\s+(?:ngang\s+bo|thuoc\s+chinh\s+phu))?"
            rf"|{alternation('group_members')}))*"
            r"(?:\s+(?:co\s+)?lien\s+quan|\s+(?:truc\s+thuoc|thuoc)\s+(?:(?:uy\s+ban\s+nhan\s+dan|ubnd)\s+)?(?:huyen|tinh|xa|phuong)"
            # "các đơn vị, cơ sở giáo dục trực thuộc thực hiện": the owner, the issuer, is not named.
            r"|\s+truc\s+thuoc(?=\s*[,;.:]|\s+(?:thuc|chu|khan|tiep|nghiem|tang|to|trien|bao|phoi)\s)"
            r"|\s+huyen|\s+tinh)?(?![a-z])"
        ),
    ),
]

# A kind of body after a comma (data/group_members.txt) or a bare "trực thuộc" that goes on a described group.
_GROUP_MEMBER_RE = re.compile(rf",\s*(?:{alternation('group_members')})(?![a-z])|\struc\s+thuoc$")
_CONNECTORS = {"va", "cung", "voi", "hoac", "cac"}
_SEPARATOR_RE = re.compile(r"\s*(?:,|;|/|\bva\b|\bcung\b|\bhoac\b)\s*(?:voi\s+)?")


@dataclass
class _Key:
    key: str
    first: str
    length: int
    unit: RegistryUnit


@dataclass
class Registry:
    """The units a directive may name, indexed for matching; built once per extraction."""

    units: list[RegistryUnit]
    issuing: RegistryUnit | None = None
    on: datetime.date | None = None
    _exact: dict[str, list[RegistryUnit]] = field(default_factory=dict)
    _by_first: dict[str, list[_Key]] = field(default_factory=dict)
    _cache: dict[str, tuple[RegistryUnit | None, float]] = field(default_factory=dict)
    _lengths: set[int] = field(default_factory=set)
    _first_candidates: dict[str, list[_Key]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for unit in self.units:
            for name in {unit.name, unit.short_name}:
                key = canonical(name) if name else ""
                if not key:
                    continue
                self._exact.setdefault(key, []).append(unit)
                words = key.split()
                self._by_first.setdefault(words[0], []).append(_Key(key, words[0], len(words), unit))
                self._lengths.add(len(words))

    # --- single names ---------------------------------------------------------------------------------------------

    def closeness(self, unit: RegistryUnit) -> tuple[int, int]:
        """Higher is closer to the issuing unit: shared ancestors first, then the shallower unit."""
        if self.issuing is None or not unit.path:
            return (0, -unit.depth)
        shared = 0
        for own, issuing in zip(unit.path, self.issuing.path, strict=False):
            if own != issuing:
                break
            shared += 1
        return (shared, -abs(unit.depth - self.issuing.depth))

    def _best(self, units: list[RegistryUnit]) -> RegistryUnit:
        return max(units, key=self.closeness)

    def lookup(self, key: str, *, fuzzy: bool = True) -> RegistryUnit | None:
        """The unit whose canonical name is ``key`` (or close to it when ``fuzzy``)."""
        return self.lookup_scored(key, fuzzy=fuzzy)[0]

    def lookup_scored(self, key: str, *, fuzzy: bool = True) -> tuple[RegistryUnit | None, float]:
        """Like :meth:`lookup`, with the similarity of the match (1.0 for an exact name)."""
        if not key:
            return None, 0.0
        exact = self._exact.get(key)
        if exact:
            return self._best(exact), 1.0
        level_unit = self._level_only(key)
        if level_unit is not None:
            return level_unit, 1.0
        if not fuzzy:
            return None, 0.0
        if key not in self._cache:
            self._cache[key] = self._fuzzy(key)
        return self._cache[key]

    def _level_only(self, key: str) -> RegistryUnit | None:
        """ "UBND huyện" or "UBND tỉnh" without a name: the issuing unit's district or province."""
        wanted = {"uy ban nhan dan huyen": DISTRICT, "uy ban nhan dan tinh": PROVINCE}.get(key)
        if wanted is None or self.issuing is None:
            return None
        for unit in [self.issuing, *self._ancestors(self.issuing)]:
            if unit.kind == wanted:
                return unit
        return None

    def _ancestors(self, unit: RegistryUnit) -> list[RegistryUnit]:
        by_id = {candidate.id: candidate for candidate in self.units}
        return [by_id[pk] for pk in reversed(unit.ancestor_ids) if pk in by_id]

    def _fuzzy(self, key: str) -> tuple[RegistryUnit | None, float]:
        words = key.split()
        candidates = self._first_candidates.get(words[0])
        if candidates is None:
            candidates = [
                candidate
                for first, keys in self._by_first.items()
                if first == words[0] or SequenceMatcher(None, first, words[0]).ratio() >= 0.6
                for candidate in keys
            ]
            self._first_candidates[words[0]] = candidates
        if not candidates:
            return None, 0.0
        best: tuple[float, tuple[int, int]] | None = None
        chosen: RegistryUnit | None = None
        scope = self._root((DISTRICT, PROVINCE))
        for candidate in candidates:
            if abs(candidate.length - len(words)) > 2:
                continue
            if scope is not None and not candidate.unit.is_within(scope):
                continue
            matcher = SequenceMatcher(None, key, candidate.key, autojunk=False)
            if matcher.real_quick_ratio() < FUZZY_THRESHOLD or matcher.quick_ratio() < FUZZY_THRESHOLD:
                continue
            ratio = matcher.ratio()
            if ratio < FUZZY_THRESHOLD:
                continue
            rank = (ratio, self.closeness(candidate.unit))
            if best is None or rank > best:
                best, chosen = rank, candidate.unit
        return chosen, best[0] if best is not None else 0.0

    def match_name(self, text: str) -> RegistryUnit | None:
        """The registry unit a whole name refers to, or None."""
        return self.lookup(canonical(text))

    # --- groups ---------------------------------------------------------------------------------------------------

    def _active(self, unit: RegistryUnit) -> bool:
        return self.on is None or unit.is_active(self.on)

    def _root(self, kinds: tuple[str, ...]) -> RegistryUnit | None:
        if self.issuing is None:
            return None
        for unit in [self.issuing, *self._ancestors(self.issuing)]:
            if unit.kind in kinds:
                return unit
        return None

    def group_members(self, group: str, folded: str) -> tuple[RegistryUnit, ...]:
        """The units a group phrase stands for, under the issuing unit's district or province."""
        if group == "communes":
            root = self._root((DISTRICT, PROVINCE))
            subtypes = _commune_subtypes(folded)
            return tuple(
                unit
                for unit in self.units
                if root is not None
                and unit.kind == COMMUNE
                and unit.is_within(root)
                and self._active(unit)
                and (not subtypes or not unit.subtype or unit.subtype in subtypes)
            )
        if group == "districts":
            root = self._root((PROVINCE,))
            return tuple(
                unit
                for unit in self.units
                if root is not None and unit.parent_id == root.id and unit.kind == DISTRICT and self._active(unit)
            )
        if group == "departments":
            root = self._root((PROVINCE,))
            return tuple(
                unit
                for unit in self.units
                if root is not None and unit.parent_id == root.id and unit.kind == DEPARTMENT and self._active(unit)
            )
        if group in ("offices", "public_service_units"):
            root = self._root((DISTRICT, DEPARTMENT, PROVINCE))
            kinds = {PUBLIC_SERVICE_UNIT} if group == "public_service_units" else {OFFICE}
            if group == "offices" and ("su nghiep" in folded or "don vi" in folded):
                kinds.add(PUBLIC_SERVICE_UNIT)
            return tuple(
                unit
                for unit in self.units
                if root is not None and unit.parent_id == root.id and unit.kind in kinds and self._active(unit)
            )
        return ()


def _commune_subtypes(folded: str) -> set[str]:
    subtypes: set[str] = set()
    if re.search(r"\bx[a-z0-9&]?\b", folded):
        subtypes.add(SUBTYPE_COMMUNE)
    if "phuong" in folded:
        subtypes.add(SUBTYPE_WARD)
    if "thi tran" in folded:
        subtypes.add(SUBTYPE_TOWNSHIP)
    if "dac khu" in folded:
        subtypes.add(SUBTYPE_SPECIAL_ZONE)
    if "cap x" in folded:
        return set()
    return subtypes


# --- reading lists of units out of text -----------------------------------------------------------------------------


def _skip_space(folded: str, position: int) -> int:
    while position < len(folded) and folded[position] in " \t\n*_\"“”'(":
        position += 1
    return position


def _registry_prefix(
    view: TextView, registry: Registry, position: int, name_end: int | None = None
) -> tuple[RegistryUnit, int] | None:
    """The longest run of tokens from ``position`` that names a registry unit, and where it ends.

    An exact name may end anywhere; a close (fuzzy) one is looked for only over the whole written name, when the
    name reader found one (``name_end``), so that words that name nothing are not compared with every unit.
    """
    first = view.token_at(position)
    if first is None or view.tokens[first][0] != position:
        return None
    last = first + 1
    while last < min(len(view.tokens), first + _MAX_NAME_TOKENS):
        # A name does not run over a clause boundary (commas may belong to it: "Sở Văn hóa, Thể thao và Du lịch").
        gap = view.folded[view.tokens[last - 1][1] : view.tokens[last][0]]
        if re.search(r"[;:()\n]|\.\s", gap):
            break
        last += 1
    keys = [
        (canonical(view.text[view.tokens[first][0] : view.tokens[end_index - 1][1]]), end_index)
        for end_index in range(last, first, -1)
        if view.folded[view.tokens[end_index - 1][0] : view.tokens[end_index - 1][1]] not in _CONNECTORS
    ]
    for key, end_index in keys:
        unit = registry.lookup(key, fuzzy=False)
        if unit is not None:
            return unit, view.tokens[end_index - 1][1]
    best: tuple[float, int, RegistryUnit] | None = None
    for key, end_index in keys:
        if len(key.split()) < 2 or name_end is None or view.tokens[end_index - 1][1] != name_end:
            continue
        unit, ratio = registry.lookup_scored(key)
        if unit is not None and (best is None or ratio > best[0]):
            best = (ratio, end_index, unit)
    if best is not None:
        return best[2], view.tokens[best[1] - 1][1]
    return None


def parse_unit_list(view: TextView, registry: Registry, position: int) -> tuple[list[UnitRef], int]:
    """Units named one after another from ``position`` ("Phòng Nội vụ, Phòng Tư pháp và UBND các xã").

    Returns the references and the position after the last one (``position``
    itself when no unit starts there).
    """
    refs: list[UnitRef] = []
    cursor = position
    while True:
        start = _skip_space(view.folded, cursor)
        chain = start
        bare = _BARE_TITLE_RE.match(view.folded, start)
        title = _TITLE_WORDS.match(view.folded, bare.end()) if bare else None
        if title is None:
            bare = None
            title = _TITLE_WORDS.match(view.folded, start)
        if title:
            start = title.end()
        committee = _PARTY_COMMITTEES_RE.match(view.folded, start) if title and "bi thu" in title.group(0) else None
        if committee is not None:
            # "Bí thư tỉnh ủy, thành ủy; Chủ tịch …": the party committees the secretaries lead, a class of bodies
            # the state registry does not hold.
            fire("lead.party_committee")
            end = committee.end()
            place = _place_end(view, end + 1) if view.text[end : end + 1] == " " else None
            end = place if place is not None else end  # "Bí thư Tỉnh ủy Gia Lai"
            ref: UnitRef | None = UnitRef(text=view.cut(start, end), start=start, end=end, kind="group")
        else:
            ref = _one_unit(view, registry, start)
        if ref is None and refs:
            ref = _place_after(view, registry, start, refs[-1])
        if ref is None and refs:
            # "Bộ Y tế, Ban Quản lý dự án, các nhà thầu và …", "…, các ngành, các cơ quan …": a class of bodies goes
            # on a list of units already begun.
            end = _class_end(view, start, start, continuing=True)
            if end > start:
                fire("name.class_of_bodies_in_list")
                ref = UnitRef(text=view.cut(start, end), start=start, end=end, kind="generic")
        if ref is None:
            break
        if title:
            ref = _with_second_office(view, registry, ref)
        if bare:
            # "Bộ trưởng, Thủ trưởng cơ quan ngang bộ, …": the heads of several kinds of bodies lead as written.
            fire("lead.titles_of_several_heads")
            ref = replace(ref, text=view.cut(chain, ref.end), start=chain)
        named = _named_communes(view, registry, ref) if ref.kind == "group" else []
        refs.extend(named or [ref])
        cursor = named[-1].end if named else ref.end
        separator = _SEPARATOR_RE.match(view.folded, cursor)
        if not separator:
            break
        cursor = separator.end()
    if refs:
        refs[-1] = _with_superior(view, registry, refs[-1])
    return refs, (refs[-1].end if refs else position)


_SUPERIOR_RE = re.compile(r"\s+truc\s+thuoc\s+")
_CENTRE_RE = re.compile(r"(?:chinh\s+phu|trung\s+uong)(?![a-z])")


def _with_superior(view: TextView, registry: Registry, ref: UnitRef) -> UnitRef:
    """A list ending "… trực thuộc Trung ương", "… trực thuộc Bộ Văn hóa, Thể thao và Du lịch" names whose units
    they are: the qualifier is part of the lead as written ("Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung
    ương", "các cơ sở đào tạo trực thuộc Bộ"); the units read stay the same."""
    superior = _SUPERIOR_RE.match(view.folded, ref.end)
    if superior is None:
        return ref
    centre = _CENTRE_RE.match(view.folded, superior.end())
    if centre is not None:
        end = centre.end()
    else:
        owner = _one_unit(view, registry, superior.end())
        if owner is None:
            bare = re.match(r"(?:bo|so|ubnd|uy\s+ban\s+nhan\s+dan)(?![a-z])", view.folded[superior.end() :])
            if bare is None:
                return ref
            end = superior.end() + bare.end()
        else:
            end = owner.end
    fire("name.superior_kept")
    return replace(ref, text=view.cut(ref.start, end), end=end)


_PARTY_COMMITTEES_RE = re.compile(
    r"(?:cac\s+)?(?:tinh|thanh|huyen|dang)\s+uy(?:\s*(?:,|va)\s*(?:tinh|thanh|huyen|dang)\s+uy)*(?![a-z])"
)
_OFFICE_DASH_RE = re.compile(r"\s+[-–]\s+")


def _with_second_office(view: TextView, registry: Registry, ref: UnitRef) -> UnitRef:
    """ "Bộ trưởng Bộ Tài chính - Phó Trưởng ban Thường trực Ban Chỉ đạo 389 quốc gia": one person in two offices.

    A unit read after a person's title, then a dash and another title with its body, is one lead written whole;
    it stays the first office's unit for the registry.
    """
    # The dash right after the unit, or inside a capitalised name read across it.
    dash = _OFFICE_DASH_RE.match(view.folded, ref.end) or _OFFICE_DASH_RE.search(view.folded, ref.start, ref.end)
    if dash is None:
        return ref
    title = _TITLE_WORDS.match(view.folded, dash.end())
    if title is None:
        return ref
    second = _one_unit(view, registry, title.end())
    if second is None or second.kind == "generic":
        return ref
    fire("lead.person_with_second_office")
    unit = ref.unit
    if dash.start() < ref.end:
        unit = registry.match_name(view.cut(ref.start, dash.start()))
    kind = "unit" if unit is not None else ref.kind
    return replace(ref, text=view.cut(ref.start, second.end), end=second.end, unit=unit, kind=kind)


_PLACE_WORD_RE = re.compile(r"(?=[^\W_])(?:\d+|[^\W\d_][\w]*)")


def _place_end(view: TextView, start: int) -> int | None:
    """End of a place name at ``start``: up to four capitalised words or a number ("Quy Nhơn Đông", "3")."""
    end = None
    cursor = start
    for _word in range(4):
        match = _PLACE_WORD_RE.match(view.text, cursor)
        if not match or not (match.group(0)[0].isupper() or match.group(0).isdigit()):
            break
        if view.folded[match.start() : match.end()] in ("ubnd", "uy"):
            break
        end = match.end()
        space = re.match(r" +", view.text[end:])
        if not space:
            break
        cursor = end + space.end()
    return end


_COMMUNE_LEVEL_RE = re.compile(r"(?:phuong|xa|thi\s+tran|dac\s+khu)(?![a-z])")


def _named_communes(view: TextView, registry: Registry, group: UnitRef) -> list[UnitRef]:
    """ "UBND các phường Quy Nhơn, Quy Nhơn Đông và Pleiku": the communes named after a group, one reference each."""
    folded_group = view.folded[group.start : group.end]
    levels = list(_COMMUNE_LEVEL_RE.finditer(folded_group))
    if not levels:
        return []
    level = view.text[group.start + levels[-1].start() : group.start + levels[-1].end()]
    committee = re.match(r"\s*(uy\s+ban\s+nhan\s+dan|ubnd)\s", folded_group)
    prefix = view.text[group.start : group.start + committee.end(1)] + " " if committee else ""
    refs: list[UnitRef] = []
    position = group.end
    while True:
        gap = re.match(r" *(?:,|;|\bva\b)? *" if refs else r" +", view.folded[position:])
        if gap is None:
            break
        start = position + gap.end()
        if refs and not gap.group(0).strip(" "):
            break
        end = _place_end(view, start)
        if end is None:
            break
        name = f"{prefix}{level} {view.text[start:end]}"
        unit = registry.match_name(name)
        kind = "unit" if unit else "unknown"
        refs.append(UnitRef(text=name, start=start if refs else group.start, end=end, unit=unit, kind=kind))
        position = end
    return refs


_LEVEL_PLACE_RE = re.compile(r"(?:phuong|xa|thi\s+tran|dac\s+khu|huyen|thi\s+xa|thanh\s+pho|quan)\s+(?=\S)")


def _place_after(view: TextView, registry: Registry, start: int, previous: UnitRef) -> UnitRef | None:
    """ "UBND phường Long Xuyên, phường Rạch Giá": a level and a place after a unit of the same kind."""
    level = _LEVEL_PLACE_RE.match(view.folded, start)
    if level is None or not re.search(r"(?:uy\s+ban\s+nhan\s+dan|ubnd)\s", fold_aligned(previous.text)):
        return None
    end = _place_end(view, level.end())
    if end is None:
        return None
    text = view.cut(start, end)
    prefix = re.match(r"(?:Ủy ban nhân dân|UBND|Uỷ ban nhân dân)\s", previous.text)
    unit = registry.match_name(f"{prefix.group(0) if prefix else 'UBND '}{text}")
    return UnitRef(text=text, start=start, end=end, unit=unit, kind="unit" if unit else "unknown")


_NAMED_LIST_RE = re.compile(
    r"(?P<council>(?:uy\s+ban\s+nhan\s+dan|ubnd)\s+)?(?:cac|hai|ba)\s+"
    r"(?P<head>bo|so|tinh|thanh\s+pho|xa|phuong)(?:\s*,\s*(?:nganh|thanh\s+pho))?\s*:\s*"
)


def _named_list(view: TextView, start: int) -> UnitRef | None:
    """ "các Bộ: Quốc phòng, Công an, Nông nghiệp và Môi trường", "Ủy ban nhân dân các thành phố: Hà Nội, Cần Thơ":
    the fields or places of several units after one head noun.

    The list runs to the first word that never continues a name (``data/name_stops.txt``) or to a clause boundary.
    """
    match = _NAMED_LIST_RE.match(view.folded, start)
    if match is None:
        return None
    # "các Bộ:" must be written with its capital; after "Ủy ban nhân dân" the places follow in any case.
    if not match.group("council") and not view.text[match.start("head")].isupper():
        return None
    first = view.token_at(match.end())
    if first is None:
        return None
    stops = words("name_stops")
    end = match.end()
    index = first
    while index < len(view.tokens):
        token_start, token_end = view.tokens[index]
        gap = view.folded[end:token_start] if index > first else ""
        if (
            gap.strip() == ";"
            and "," not in view.folded[match.end() : end]
            and view.text[token_start].isupper()
            and unknown_name_end(view, token_start) is None
        ):
            # "các Bộ: Nông nghiệp và Môi trường; Xây dựng; Khoa học và Công nghệ": members set apart by semicolons,
            # each a field of the same head (a list with commas does not go on after one); a new unit's name after a
            # semicolon ends the list.
            fire("name.list_after_head_semicolons")
        elif re.search(r"[;:()\n.]", gap):
            break
        word = view.text[token_start:token_end]
        folded_word = view.folded[token_start:token_end]
        pair = " ".join(view.folded[a:b] for a, b in view.tokens[index : index + 2])
        joins = folded_word == "va" and index + 1 < len(view.tokens) and view.text[view.tokens[index + 1][0]].isupper()
        if word.islower() and (folded_word in stops or pair in stops) and not joins:
            break
        end = token_end
        index += 1
    if end <= match.end():
        return None
    fire("name.list_after_head")
    return UnitRef(text=view.cut(start, end), start=start, end=end, kind="unknown")


@functools.cache
def _class_re(*, continuing: bool) -> re.Pattern[str]:
    """ "các <class of bodies>" (``data/class_of_bodies.txt``; in a list already begun also
    ``data/list_classes.txt``), then its qualifiers (``data/class_qualifiers.txt``)."""
    nouns = alternation("class_of_bodies") + ("|" + alternation("list_classes") if continuing else "")
    return re.compile(rf"(?:{_CAC}|nhung)\s+(?:{nouns})(?![a-z])(?:\s+(?:{alternation('class_qualifiers')})(?![a-z]))*")


def _class_end(view: TextView, start: int, end: int, *, continuing: bool) -> int:
    """Where a class of bodies named at ``start`` ends, when it goes on past ``end`` (the end of the described group
    read there, or ``start``): "các cơ quan" → "các cơ quan báo chí của Trung ương", "các tổ chức" → "các tổ chức
    thành viên"."""
    found = _class_re(continuing=continuing).match(view.folded, start)
    longest = found.end() if found else start
    if end > start:
        qualified = _qualifiers_re().match(view.folded, end)
        longest = max(longest, qualified.end() if qualified else end)
    return max(longest, end)


@functools.cache
def _qualifiers_re() -> re.Pattern[str]:
    return re.compile(rf"(?:\s+(?:{alternation('class_qualifiers')})(?![a-z]))*")


def class_of_bodies_at(view: TextView, start: int) -> UnitRef | None:
    """ "các cơ sở đào tạo", "các ngân hàng thương mại" at ``start`` (``data/class_of_bodies.txt``, with its
    qualifiers), as a described group; None if none. Read at the start of a list only by a caller that checks what
    follows (a verb), since "các cơ sở" is also a common phrase."""
    end = _class_end(view, start, start, continuing=False)
    if end <= start:
        return None
    return UnitRef(text=view.cut(start, end), start=start, end=end, kind="generic")


def _one_unit(view: TextView, registry: Registry, start: int) -> UnitRef | None:
    folded = view.folded
    named = _named_list(view, start)
    if named is not None:
        return named
    leader = leader_span(view, start)
    if leader is not None:
        # "Phó Thủ tướng Chính phủ Trần Hồng Hà": a member of the Government leads in person, as written.
        return UnitRef(text=view.cut(*leader), start=leader[0], end=leader[1], kind="unknown")
    for group, regex in _GROUPS:
        match = regex.match(folded, start)
        if match:
            text = view.cut(match.start(), match.end())
            if group == "generic":
                if _GROUP_MEMBER_RE.search(match.group(0)):
                    fire("name.group_with_kinds_of_bodies")
                end = _class_end(view, match.start(), match.end(), continuing=False)
                if end > match.end():
                    fire("name.class_of_bodies_whole")
                    text = view.cut(match.start(), end)
                return UnitRef(text=text, start=match.start(), end=end, kind="generic")
            members = registry.group_members(group, folded[match.start() : match.end()])
            return UnitRef(text=text, start=match.start(), end=match.end(), members=members, kind="group")
    unknown_end = unknown_name_end(view, start)
    found = _registry_prefix(view, registry, start, unknown_end)
    if found is not None:
        unit, end = found
        if unknown_end is None or unknown_end <= end or not is_bare_head(canonical(view.text[start:end])):
            return UnitRef(text=view.cut(start, end), start=start, end=end, unit=unit)
        # "Văn phòng Chính phủ": a registry unit called by its head noun alone ("Văn phòng") is not this name.
        fire("name.registry_head_refused")
    if unknown_end is not None:
        text = view.cut(start, unknown_end)
        if len(text.split()) >= 2:
            return UnitRef(text=text, start=start, end=unknown_end, kind="unknown")
    return None


def registry_for(
    *,
    issuing_unit: RegistryUnit | None,
    units: Iterable[RegistryUnit] | None,
    source: UnitSource | None,
    on: datetime.date | None,
) -> Registry:
    """The registry to match against: the given units, or the units the source gives for the issuing unit's tree."""
    if units is not None:
        return Registry(units=list(units), issuing=issuing_unit, on=on)
    if issuing_unit is None or source is None:
        return Registry(units=[], issuing=issuing_unit, on=on)
    loaded = list(source.province_of(issuing_unit, on))
    if all(unit.id != issuing_unit.id for unit in loaded):
        loaded.append(issuing_unit)
    return Registry(units=loaded, issuing=issuing_unit, on=on)


def find_issuing_unit(names: list[str], *, source: UnitSource, on: datetime.date | None) -> RegistryUnit | None:
    """The registry unit an issuer heading names ("UBND huyện Đoan Hùng" → Huyện Đoan Hùng), if exactly one."""
    keys = [canonical(name) for name in names if name]
    keys = [key for key in keys if key]
    if not keys:
        return None
    registry = Registry(units=list(source.of_kinds(ISSUER_KINDS, on)), on=on)
    for key in keys:
        exact = registry._exact.get(key)
        if exact and len(exact) == 1:
            return exact[0]
    for key in keys:
        unit = registry.lookup(key)
        if unit is not None:
            return unit
    return None
