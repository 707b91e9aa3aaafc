"""View → API operations on a large real description: Kubernetes' own, 1,123 operations
in 64 groups (the corpus file of tests/data/corpus/SOURCES.md). The list fills without
freezing the window, a search narrows it, and an operation opens as a request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from relaydesk.core.api_description import attach_description
from relaydesk.core.workspace import Workspace
from tests.corpus import MISSING_REASON, corpus_dir
from tests.gui.test_managed_operations import visible_operations

NAME = "openapi/kubernetes-client__python__kubernetes__swagger.json.unprocessed"
FOUND = corpus_dir(NAME)
pytestmark = pytest.mark.skipif(FOUND is None, reason=MISSING_REASON)
REPO = Path(__file__).resolve().parents[2]


def test_the_kubernetes_operations_are_listed_searched_and_opened(
        window: Any, gui_workspace: Workspace, qtbot: Any) -> None:
    from relaydesk.ui.operations_panel import OperationsDialog

    assert FOUND is not None
    attach_description(gui_workspace, "local/echo", (FOUND / NAME).read_text(), "k8s.json")
    window.tree.select_path("local/echo")
    window.act_operations.trigger()
    dialog = window.findChild(OperationsDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.tree.topLevelItemCount() == 64, timeout=20000)
    assert "1123 operation(s) in 64 group(s)" in dialog.status.text()
    assert len(visible_operations(dialog)) == 1123

    dialog.search.setText("/api/v1/namespaces/{namespace}/configmaps/{name}")
    assert visible_operations(dialog) == [
        f"CoreV1.{n}CoreV1NamespacedConfigMap" for n in ("read", "replace", "delete",
                                                         "patch")]
    dialog.search.setText("LISTFLOWCONTROLAPISERVERV1")  # any case
    assert visible_operations(dialog) == [
        "FlowcontrolApiserverV1.listFlowcontrolApiserverV1FlowSchema",
        "FlowcontrolApiserverV1.listFlowcontrolApiserverV1PriorityLevelConfiguration"]
    dialog.search.setText("PodLog")
    assert visible_operations(dialog) == ["CoreV1.readCoreV1NamespacedPodLog"]
    (REPO / "artifacts").mkdir(exist_ok=True)
    dialog.grab().save(str(REPO / "artifacts/operations-dialog-kubernetes.png"))

    group = next(dialog.tree.topLevelItem(i) for i in range(dialog.tree.topLevelItemCount())
                 if not dialog.tree.topLevelItem(i).isHidden())
    dialog.tree.setCurrentItem(next(group.child(j) for j in range(group.childCount())
                                    if not group.child(j).isHidden()))
    dialog.open_button.click()
    tab = window.current_tab()
    assert tab is not None and tab.path.startswith("local/echo/CoreV1/")
    request = tab.edited_request()
    assert (request.method, request.url) == (
        "GET", "/api/v1/namespaces/{{namespace}}/pods/{{name}}/log")
    assert {"container", "follow", "tailLines"} <= {p.name for p in request.params}
