import type {
  DeregisterTaskFromMaintenanceWindowRequest,
  DescribeMaintenanceWindowTasksRequest,
  GetMaintenanceWindowTaskRequest,
  RegisterTaskWithMaintenanceWindowRequest,
  UpdateMaintenanceWindowTaskRequest,
} from "@aws-sdk/client-ssm";
import { AwsError, doesNotExist, invalid } from "../errors.js";
import { requireMembers } from "../validation.js";
import type { OperationHandler, SsmContext } from "./context.js";
import { copy, serviceLinkedRole, uuid } from "./context.js";
import { defineOperation } from "./define.js";
import { applyFilters } from "./filters.js";
import { idempotentCreate } from "./idempotency.js";
import { findWindow } from "./maintenance-windows.js";
import { paginate } from "./pagination.js";
import type { Target, TaskRecord, WindowRecord, Wire } from "./records.js";
import { REPLACE_REQUIRES } from "./shapes.js";
import { toTargets } from "./window-targets.js";

/** Tasks per maintenance window. */
export const MAX_TASKS_PER_WINDOW = 20;
/** Window targets one task may reference (the "targets per task" quota). */
export const MAX_TARGETS_PER_TASK = 10;

/** What the service reads back for MaxConcurrency and MaxErrors on a task without targets. */
const TARGETLESS_PLACEHOLDER = "1";

const INVOCATION_BLOCK: Readonly<Record<string, string>> = { RUN_COMMAND: "RunCommand", AUTOMATION: "Automation", LAMBDA: "Lambda", STEP_FUNCTIONS: "StepFunctions" };
/** An IAM role ARN; the account part is not checked (AWS's own walkthrough uses a made-up 8-digit one). */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d*:role\/.+$/;
const INSTANCE_ID = /^(i-(\w{8}|\w{17})|mi-\w{17})$/;
const DOCUMENT = /^([a-zA-Z0-9_\-.]{3,128}|arn:aws[a-z-]*:ssm:[a-z0-9-]*:\d{12}:(document|automation-definition)\/[a-zA-Z0-9_\-.:/]{3,128})$/;
const LAMBDA_FUNCTION = /^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[a-zA-Z0-9_-]{1,64}(:(\$LATEST|[a-zA-Z0-9_-]+))?$/;
const STATE_MACHINE = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[a-zA-Z0-9_-]{1,80}$/;

export function findTask(ctx: SsmContext, windowId: string, taskId: string): TaskRecord {
  const w = findWindow(ctx, windowId);
  const t = ctx.state.tasks[taskId];
  if (!t || t.WindowId !== w.WindowId) throw doesNotExist(`Maintenance window task ${taskId} does not exist in maintenance window ${w.WindowId}`);
  return t;
}

function checkTaskArn(type: string, arn: string): void {
  const ok = type === "LAMBDA" ? LAMBDA_FUNCTION.test(arn) : type === "STEP_FUNCTIONS" ? STATE_MACHINE.test(arn) : DOCUMENT.test(arn);
  const what = type === "LAMBDA" ? "a Lambda function name or ARN" : type === "STEP_FUNCTIONS" ? "a Step Functions state machine ARN" : "an SSM document name or ARN";
  if (!ok) throw invalid(`TaskArn '${arn}' is not valid for task type ${type}: expected ${what}.`);
}

/**
 * Task targets: window targets of this window (WindowTargetIds) or, if the window
 * allows it, instances by id. `given`: the request sets them (a task keeps
 * references to targets deregistered without Safe; an unrelated update does not
 * trip over them).
 */
function checkTaskTargets(ctx: SsmContext, w: WindowRecord, type: string, targets: readonly Target[], given: boolean): void {
  let referenced = 0;
  for (const t of targets) {
    if (t.Values.length === 0) throw invalid(`The target ${t.Key} must have at least one value.`);
    if (t.Key === "WindowTargetIds") {
      for (const id of given ? t.Values : []) {
        const target = ctx.state.targets[id];
        if (!target || target.WindowId !== w.WindowId) throw doesNotExist(`Maintenance window target ${id} does not exist in maintenance window ${w.WindowId}`);
      }
      referenced += t.Values.length;
    } else if (t.Key === "InstanceIds") {
      if (given && !w.AllowUnassociatedTargets) throw invalid(`Maintenance window ${w.WindowId} does not allow unassociated targets: register the instances as window targets and use Key=WindowTargetIds.`);
      for (const v of given ? t.Values : []) if (!INSTANCE_ID.test(v)) throw invalid(`Invalid instance id '${v}' in target InstanceIds.`);
    } else {
      throw invalid(`The task target key ${t.Key} is not valid: use WindowTargetIds or InstanceIds.`);
    }
  }
  if (referenced > MAX_TARGETS_PER_TASK) throw new AwsError("ResourceLimitExceededException", `A task can reference at most ${MAX_TARGETS_PER_TASK} window targets (got ${referenced}).`);
  if (type === "RUN_COMMAND" && targets.length === 0) throw invalid("Targets must be specified for tasks of type RUN_COMMAND.");
}

function checkInvocation(type: string, inv: TaskRecord["TaskInvocationParameters"]): void {
  if (!inv) return;
  const given = Object.entries(inv).filter(([, v]) => v !== undefined).map(([k]) => k);
  for (const k of given) {
    if (k !== INVOCATION_BLOCK[type]) throw invalid(`TaskInvocationParameters.${k} cannot be used with task type ${type}; use TaskInvocationParameters.${INVOCATION_BLOCK[type]}.`);
  }
}

type TaskInput = Omit<Wire<UpdateMaintenanceWindowTaskRequest>, "WindowId" | "WindowTaskId" | "Replace">;

/**
 * Applies a Register or Update to a task. Given fields replace; omitted ones stay
 * or, with `replace`, go back to their defaults. TaskInvocationParameters is
 * always replaced whole when given.
 */
function applyTaskFields(ctx: SsmContext, w: WindowRecord, t: TaskRecord, input: TaskInput, replace: boolean): void {
  if (input.TaskArn !== undefined) t.TaskArn = input.TaskArn;
  checkTaskArn(t.TaskType, t.TaskArn);

  const targets = input.Targets !== undefined ? toTargets(input.Targets) : replace ? [] : t.Targets;
  checkTaskTargets(ctx, w, t.TaskType, targets, input.Targets !== undefined);
  const hadTargets = t.Targets.length > 0;
  t.Targets = targets;
  if (targets.length > 0) {
    const keep = !replace && hadTargets;
    const concurrency = input.MaxConcurrency ?? (keep ? t.MaxConcurrency : undefined);
    const errors = input.MaxErrors ?? (keep ? t.MaxErrors : undefined);
    if (concurrency === undefined || errors === undefined) throw invalid("MaxConcurrency and MaxErrors must be specified for a task that has targets.");
    t.MaxConcurrency = concurrency;
    t.MaxErrors = errors;
  } else {
    if (input.MaxConcurrency !== undefined || input.MaxErrors !== undefined) throw invalid("MaxConcurrency and MaxErrors cannot be specified for a task without targets.");
    delete t.MaxConcurrency;
    delete t.MaxErrors;
  }

  if (input.ServiceRoleArn !== undefined) {
    if (!ROLE_ARN.test(input.ServiceRoleArn)) throw invalid(`ServiceRoleArn '${input.ServiceRoleArn}' is not an IAM role ARN.`);
    t.ServiceRoleArn = input.ServiceRoleArn;
  } else if (replace || t.ServiceRoleArn === "") {
    t.ServiceRoleArn = serviceLinkedRole(ctx.account);
  }
  if (input.Priority !== undefined) t.Priority = input.Priority;
  else if (replace) t.Priority = 1;
  if (input.CutoffBehavior !== undefined) t.CutoffBehavior = input.CutoffBehavior;
  else if (replace) delete t.CutoffBehavior;

  if (input.TaskInvocationParameters !== undefined) {
    checkInvocation(t.TaskType, input.TaskInvocationParameters);
    t.TaskInvocationParameters = copy(input.TaskInvocationParameters);
  } else if (replace) {
    delete t.TaskInvocationParameters;
  }
  const optional = <K extends "Name" | "Description" | "TaskParameters" | "LoggingInfo" | "AlarmConfiguration">(key: K, value: TaskRecord[K] | undefined): void => {
    if (value !== undefined) t[key] = copy(value);
    else if (replace) delete t[key];
  };
  optional("Name", input.Name);
  optional("Description", input.Description);
  optional("TaskParameters", input.TaskParameters);
  optional("LoggingInfo", input.LoggingInfo);
  optional("AlarmConfiguration", input.AlarmConfiguration);
}

/** A RunCommand task's unset Comment reads back as "" (the recorded get-maintenance-window-task example); Update answers the same task. */
function withReadBackDefaults(p: TaskRecord["TaskInvocationParameters"]): TaskRecord["TaskInvocationParameters"] {
  if (p?.RunCommand && p.RunCommand.Comment === undefined) p.RunCommand.Comment = "";
  return p;
}

/** The fields Get and Update return (Get adds TaskType; Describe renames it Type and drops TaskInvocationParameters). */
function taskFields(t: TaskRecord): Record<string, unknown> {
  return {
    WindowId: t.WindowId,
    WindowTaskId: t.WindowTaskId,
    Targets: copy(t.Targets),
    TaskArn: t.TaskArn,
    ServiceRoleArn: t.ServiceRoleArn,
    // {} when none were given: the recorded get-/describe-maintenance-window-task(s) examples.
    TaskParameters: copy(t.TaskParameters) ?? {},
    TaskInvocationParameters: withReadBackDefaults(copy(t.TaskInvocationParameters)),
    Priority: t.Priority,
    MaxConcurrency: t.MaxConcurrency ?? TARGETLESS_PLACEHOLDER,
    MaxErrors: t.MaxErrors ?? TARGETLESS_PLACEHOLDER,
    LoggingInfo: copy(t.LoggingInfo),
    Name: t.Name,
    Description: t.Description,
    // Omitted when never set (the recorded examples); CONTINUE_TASK applies then (the model).
    CutoffBehavior: t.CutoffBehavior,
    AlarmConfiguration: copy(t.AlarmConfiguration),
  };
}

const TASK_FILTERS: Record<string, (t: TaskRecord, value: string) => boolean> = {
  WindowTaskId: (t, v) => t.WindowTaskId === v,
  TaskArn: (t, v) => t.TaskArn === v,
  Priority: (t, v) => String(t.Priority) === v,
  TaskType: (t, v) => t.TaskType === v,
};

export const windowTaskOperations: Record<string, OperationHandler> = {
  RegisterTaskWithMaintenanceWindow: defineOperation<RegisterTaskWithMaintenanceWindowRequest>("RegisterTaskWithMaintenanceWindow", (input, ctx) => {
    const w = findWindow(ctx, input.WindowId!);
    const t: TaskRecord = { WindowId: w.WindowId, WindowTaskId: "", TaskArn: input.TaskArn!, TaskType: input.TaskType!, Targets: [], ServiceRoleArn: "", Priority: 1 };
    const { WindowId: _w, TaskType: _t, ClientToken: _c, ...fields } = input;
    applyTaskFields(ctx, w, t, fields, false);
    const id = idempotentCreate(ctx, "RegisterTaskWithMaintenanceWindow", input, () => {
      const count = Object.values(ctx.state.tasks).filter((x) => x.WindowId === w.WindowId).length;
      if (count >= MAX_TASKS_PER_WINDOW) throw new AwsError("ResourceLimitExceededException", `Maintenance window ${w.WindowId} already has the maximum number of tasks (${MAX_TASKS_PER_WINDOW}).`);
      t.WindowTaskId = uuid();
      ctx.state.tasks[t.WindowTaskId] = t;
      ctx.mutated = true;
      return t.WindowTaskId;
    });
    return { WindowTaskId: id };
  }),

  UpdateMaintenanceWindowTask: defineOperation<UpdateMaintenanceWindowTaskRequest>("UpdateMaintenanceWindowTask", (input, ctx) => {
    const { WindowId, WindowTaskId, Replace, ...fields } = input;
    const current = findTask(ctx, WindowId!, WindowTaskId!);
    if (Replace) requireMembers(input, REPLACE_REQUIRES.UpdateMaintenanceWindowTask!);
    const next = copy(current);
    applyTaskFields(ctx, findWindow(ctx, WindowId!), next, fields, Replace === true);
    ctx.state.tasks[next.WindowTaskId] = next;
    ctx.mutated = true;
    return taskFields(next);
  }),

  GetMaintenanceWindowTask: defineOperation<GetMaintenanceWindowTaskRequest>("GetMaintenanceWindowTask", (input, ctx) => {
    const t = findTask(ctx, input.WindowId!, input.WindowTaskId!);
    return { ...taskFields(t), TaskType: t.TaskType };
  }),

  DeregisterTaskFromMaintenanceWindow: defineOperation<DeregisterTaskFromMaintenanceWindowRequest>("DeregisterTaskFromMaintenanceWindow", (input, ctx) => {
    const t = findTask(ctx, input.WindowId!, input.WindowTaskId!);
    delete ctx.state.tasks[t.WindowTaskId];
    ctx.mutated = true;
    return { WindowId: t.WindowId, WindowTaskId: t.WindowTaskId };
  }),

  DescribeMaintenanceWindowTasks: defineOperation<DescribeMaintenanceWindowTasksRequest>("DescribeMaintenanceWindowTasks", (input, ctx) => {
    const w = findWindow(ctx, input.WindowId!);
    const mine = Object.values(ctx.state.tasks).filter((t) => t.WindowId === w.WindowId);
    const list = applyFilters(mine, input.Filters, TASK_FILTERS);
    const { page, nextToken } = paginate(list, (t) => t.WindowTaskId, {
      operation: "DescribeMaintenanceWindowTasks",
      MaxResults: input.MaxResults,
      NextToken: input.NextToken,
      defaultSize: 100,
      query: [w.WindowId, input.Filters],
    });
    return {
      Tasks: page.map((t) => {
        const { TaskInvocationParameters: _inv, ...rest } = taskFields(t);
        return { ...rest, Type: t.TaskType };
      }),
      NextToken: nextToken,
    };
  }),
};
