"""Layer 4: planning and scheduling runs against ports (see docs/engine.md).

Public API: `plan_workflow` → `WorkflowPlan`; `RunScope`, `RunSettings`; `RunSession`,
`RunRequest` → `RunRecord` (with `WorkflowRecord`, `JobRecord`); `expand_matrix`. Ports live in
`conveyor.engine.ports` (executor, observer, workflows, workspaces, services, actions, store).
"""
