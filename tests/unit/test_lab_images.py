"""The lab rebuilds an image only when its build context or arguments change."""
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("lab_images", ROOT / "lab" / "images.py")
lab_images = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lab_images)


@pytest.fixture
def context(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM base\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "file").write_text("a")
    return tmp_path


def test_same_inputs_same_tag(context):
    args = {"BASE_IMAGE": "b", "BASE_ID": "sha256:1"}
    assert lab_images.context_hash(context, args) == lab_images.context_hash(context, dict(args))


@pytest.mark.parametrize("change", ["content", "new-file", "rename", "base"])
def test_any_input_change_changes_the_tag(context, change):
    args = {"BASE_IMAGE": "b", "BASE_ID": "sha256:1"}
    before = lab_images.context_hash(context, args)
    if change == "content":
        (context / "sub" / "file").write_text("b")
    elif change == "new-file":
        (context / "extra").write_text("")
    elif change == "rename":
        (context / "sub" / "file").rename(context / "sub" / "other")
    else:
        args = {**args, "BASE_ID": "sha256:2"}
    assert lab_images.context_hash(context, args) != before


def test_dockerignored_files_do_not_change_the_tag(context):
    (context / ".dockerignore").write_text("# comment\ntests\n**/__pycache__\n")
    args = {"BASE_IMAGE": "b", "BASE_ID": "sha256:1"}
    before = lab_images.context_hash(context, args)
    (context / "tests").mkdir()
    (context / "tests" / "test_x.py").write_text("x")
    (context / "sub" / "__pycache__").mkdir()
    (context / "sub" / "__pycache__" / "m.pyc").write_text("x")
    assert lab_images.context_hash(context, args) == before
