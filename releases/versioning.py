"""The version rules of issue 3 (SemVer 2.0 via `semver`), pure functions over version strings.

Release order: SemVer puts a pre-release *below* its release (2.3.1-hotfix.1 < 2.3.1), but a
hotfix ships *after* the version it fixes. So releases are ordered by (major, minor, patch,
hotfix number), a plain version having hotfix number 0.
"""

import re

import semver

from releases.choices import ReleaseType

HOTFIX_TAG = re.compile(r"^hotfix\.(\d+)$")


class VersionError(ValueError):
    """A version violating the rules; the message says what was expected."""


def parse(text: str) -> semver.Version:
    try:
        return semver.Version.parse(text.strip())
    except (ValueError, TypeError):
        raise VersionError(f"'{text}' is not a SemVer 2.0 version (expected MAJOR.MINOR.PATCH, e.g. 2.4.0).")


def hotfix_number(version: semver.Version) -> int | None:
    match = HOTFIX_TAG.match(version.prerelease or "")
    return int(match.group(1)) if match and not version.build else None


def release_key(version: semver.Version) -> tuple[int, int, int, int]:
    return version.major, version.minor, version.patch, hotfix_number(version) or 0


def _core(version: semver.Version) -> str:
    return f"{version.major}.{version.minor}.{version.patch}"


def _parsed(versions) -> list[semver.Version]:
    out = []
    for text in versions:
        try:
            out.append(semver.Version.parse(text))
        except (ValueError, TypeError):
            continue  # legacy rows that break the rules do not block new ones
    return out


def latest(versions) -> semver.Version | None:
    parsed = _parsed(versions)
    return max(parsed, key=release_key) if parsed else None


def _next_hotfix(core: str, existing) -> int:
    numbers = [hotfix_number(v) or 0 for v in _parsed(existing) if _core(v) == core and hotfix_number(v)]
    return max(numbers, default=0) + 1


def _latest_released_core(released) -> semver.Version | None:
    plain = [v for v in _parsed(released) if not v.prerelease and not v.build]
    return max(plain, key=release_key) if plain else None


def suggest(release_type: str, *, deployed, released, existing) -> str:
    """The next version for this type, given the component's deployed/released/existing versions."""
    base = latest(deployed)
    if release_type == ReleaseType.HOTFIX:
        core = _latest_released_core(released)
        if core is None:
            return ""
        return f"{_core(core)}-hotfix.{_next_hotfix(_core(core), existing)}"
    if base is None:
        return {ReleaseType.MAJOR: "1.0.0", ReleaseType.MINOR: "0.1.0", ReleaseType.PATCH: "0.0.1"}[release_type]
    if release_type == ReleaseType.MAJOR:
        return str(base.bump_major())
    if release_type == ReleaseType.MINOR:
        return f"{base.major}.{base.minor + 1}.0"
    return f"{base.major}.{base.minor}.{base.patch + 1}"


def validate(version_text: str, release_type: str, *, component_name: str, deployed, released, existing) -> str:
    """Return the normalised version or raise VersionError naming what was expected.

    deployed: versions of the component deployed at some point; released: deployed and not
    rolled back; existing: every other release's version of the component (for uniqueness).
    """
    version = parse(version_text)
    text = str(version)
    label = ReleaseType(release_type).label.lower()
    base = latest(deployed)

    if release_type == ReleaseType.HOTFIX:
        number = hotfix_number(version)
        if number is None:
            raise VersionError(f"A hotfix version is x.y.z-hotfix.N, e.g. 2.3.1-hotfix.1 (got {text}).")
        core = _core(version)
        released_cores = {_core(v) for v in _parsed(released) if not v.prerelease and not v.build}
        if core not in released_cores:
            latest_core = _latest_released_core(released)
            hint = f"latest released: {latest_core}" if latest_core else "nothing is released yet"
            raise VersionError(
                f"A hotfix must fix a released version; {core} of {component_name} is not released ({hint})."
            )
        expected = f"{core}-hotfix.{_next_hotfix(core, existing)}"
        if text != expected:
            raise VersionError(f"hotfix of {core} must be {expected} (the next hotfix number).")
    else:
        if version.prerelease or version.build:
            raise VersionError(f"A {label} release is a plain MAJOR.MINOR.PATCH version without '-…' or '+…' (got {text}).")
        if base is None:
            if release_type == ReleaseType.MAJOR and (version.minor or version.patch):
                raise VersionError(f"A major release must be X.0.0 (got {text}).")
            if release_type == ReleaseType.MINOR and version.patch:
                raise VersionError(f"A minor release must be x.Y.0 (got {text}).")
        else:
            expected = suggest(release_type, deployed=deployed, released=released, existing=existing)
            if text != expected:
                raise VersionError(f"{label} release after {base} must be {expected}.")

    if base is not None and release_key(version) <= release_key(base):
        raise VersionError(f"The version must be greater than {base}, already deployed for {component_name}.")
    if text in set(existing):
        raise VersionError(f"Version {text} of {component_name} already exists.")
    return text
