"""Every action the code records has a plain label on the audit page."""
from __future__ import annotations

import ast
from pathlib import Path

import destinations
from destinations.audit.services import ACTIONS
from tests.audit.test_audit_pages import add_event
from tests.conftest import sign_in
from tests.factories import make_user

SOURCE = Path(destinations.__file__).parent
# Calls that record an audit event, and which positional argument is the action.
RECORDERS = {"audit": 0, "_audit": 0, "record_event": 1}


def strings_in(node: ast.AST) -> set[str]:
    """The string constants in an expression (both sides of ``"export" if format else "view"``)."""
    return {item.value for item in ast.walk(node) if isinstance(item, ast.Constant) and isinstance(item.value, str)}


def called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def recorded_actions(tree: ast.AST) -> dict[str, int]:
    """Each action written in a recording call, an ``AuditEvent(action=...)`` or a bulk audit row, with its line."""
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        expressions = []
        if isinstance(node, ast.Call):
            name = called_name(node)
            keywords = {keyword.arg: keyword.value for keyword in node.keywords}
            if name in RECORDERS:
                position = RECORDERS[name]
                expressions.append(keywords.get("action") or (node.args[position] if len(node.args) > position else None))
            elif name == "AuditEvent":
                expressions.append(keywords.get("action"))
        elif isinstance(node, ast.Dict):
            keys = {key.value: value for key, value in zip(node.keys, node.values) if isinstance(key, ast.Constant)}
            if "action" in keys and "actor_type" in keys:
                expressions.append(keys["action"])
        for expression in expressions:
            for action in strings_in(expression) if expression is not None else ():
                found.setdefault(action, node.lineno)
    return found


def actions_in_the_code() -> dict[str, str]:
    actions: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        for action, line in recorded_actions(ast.parse(path.read_text(encoding="utf-8"))).items():
            actions.setdefault(action, f"{path.relative_to(SOURCE.parent)}:{line}")
    return actions


def test_every_action_recorded_anywhere_in_the_code_has_a_label_on_the_audit_page():
    actions = actions_in_the_code()
    # The search finds the recording calls of every area, imports and subject access requests included.
    assert {"view", "update", "sign_in", "import", "export", "run_job", "delete"} <= set(actions), sorted(actions)
    unlabelled = {action: where for action, where in actions.items() if action not in ACTIONS}
    assert not unlabelled, f"actions with no label in destinations.audit.services.ACTIONS: {unlabelled}"


def test_the_search_finds_actions_however_they_are_recorded():
    tree = ast.parse(
        "audit('a_view', 'young_person', 1)\n"
        "context.audit('b_context', person_id)\n"
        "record_event(session, 'c_event', actor_type='system')\n"
        "record_event(session, action='d_keyword', actor_type='system')\n"
        "audit('e_export' if format else 'f_view', 'report', None)\n"
        "AuditEvent(action='g_model', actor_type='user')\n"
        "rows.append({'action': 'h_row', 'actor_type': 'system'})\n"
        "other('not_an_action')\n"
    )
    assert set(recorded_actions(tree)) == {"a_view", "b_context", "c_event", "d_keyword", "e_export", "f_view", "g_model", "h_row"}


def test_an_import_shows_as_a_plain_label_and_can_be_searched_for(client, session):
    manager = make_user(session, "manager")
    add_event(session, "import", actor=manager, object_type="import_run", object_id=77, kind="young_people", dry_run=True, outcome="checked")
    add_event(session, "view", actor=manager, object_id=78)
    sign_in(client, manager)
    page = client.get("/audit?action=import").get_data(as_text=True)
    assert "Checked or imported a file" in page and "Import run 77" in page
    assert "Young person 78" not in page and "Select what was done from the list" not in page
