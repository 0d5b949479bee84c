import type { Caller } from "../caller.js";
import type { QueryService } from "../query-protocol.js";
import type { Store } from "../store.js";
import type { StructureShape } from "../validation.js";
import type { IamContext, IamOperation } from "./context.js";
import { managedPolicyOperations } from "./managed-policies.js";
import type { IamAccountState } from "./records.js";
import { freshAccountState } from "./records.js";
import { rolePolicyOperations } from "./role-policies.js";
import { roleTagOperations } from "./role-tags.js";
import { roleOperations } from "./roles.js";

const OPERATIONS: Readonly<Record<string, IamOperation>> = {
  ...roleOperations,
  ...rolePolicyOperations,
  ...roleTagOperations,
  ...managedPolicyOperations,
};

/**
 * IAM (roles, their policies and tags; AWS managed policies), protocol-free:
 * decoded parameters in, the members of the Result out, or an AwsError. IAM is
 * global: state is kept per account (store section `iam`), whatever region the
 * caller signed for. A mutating operation is durable before invoke() returns.
 */
export class IamService implements QueryService {
  readonly version = "2010-05-08";
  readonly xmlNamespace = "https://iam.amazonaws.com/doc/2010-05-08/";

  constructor(private readonly store: Store) {}

  static operations(): string[] {
    return Object.keys(OPERATIONS);
  }

  inputShape(operation: string): StructureShape | undefined {
    return Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation]!.shape : undefined;
  }

  invoke(operation: string, input: Record<string, unknown>, caller: Caller): object | undefined {
    const op = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
    if (!op) throw new Error(`IAM has no operation ${operation}`);
    const state = this.store.section<IamAccountState>("iam", caller.account, freshAccountState);
    const ctx: IamContext = { state, account: caller.account, now: new Date(), mutated: false };
    const out = op.run(input, ctx);
    if (ctx.mutated) this.store.persist();
    return out;
  }
}
