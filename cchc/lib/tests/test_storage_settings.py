"""OBJECT_STORAGE_URL chooses where uploaded files live: the local folder unless it names an S3-compatible bucket."""

from __future__ import annotations

import pytest

from cchc.settings.env import storage_from_url


def test_without_an_object_storage_address_files_stay_in_the_local_folder() -> None:
    assert storage_from_url("") == {"BACKEND": "cchc.lib.storage.LocalStorage"}


def test_an_object_storage_address_names_the_server_the_bucket_the_prefix_and_the_keys() -> None:
    storage = storage_from_url("s3+http://kho%40tinh:b%C3%AD%2Fm%E1%BA%ADt@10.0.0.5:9000/cchc-tinh/tep?region=vn-1")
    options = storage["OPTIONS"]

    assert storage["BACKEND"] == "cchc.lib.object_storage.ObjectStorage"
    assert options == {
        **options,
        "endpoint_url": "http://10.0.0.5:9000",
        "bucket_name": "cchc-tinh",
        "location": "tep",
        "region_name": "vn-1",
        "access_key": "kho@tinh",
        "secret_key": "bí/mật",
        "addressing_style": "path",
        "file_overwrite": False,
        "default_acl": None,
    }


def test_an_object_storage_address_without_keys_leaves_them_to_the_environment_and_uses_tls() -> None:
    options = storage_from_url("s3://s3.ap-southeast-1.amazonaws.com/cchc?addressing=virtual")["OPTIONS"]

    assert (options["endpoint_url"], options["location"], options["access_key"], options["secret_key"]) == (
        "https://s3.ap-southeast-1.amazonaws.com",
        "",
        None,
        None,
    )
    assert options["addressing_style"] == "virtual"


@pytest.mark.parametrize("url", ["http://host/bucket", "s3://host", "s3:///bucket", "s3://host/bucket?acl=public-read"])
def test_a_wrong_object_storage_address_stops_the_start_with_the_reason(url: str) -> None:
    with pytest.raises(ValueError, match="OBJECT_STORAGE_URL"):
        storage_from_url(url)
