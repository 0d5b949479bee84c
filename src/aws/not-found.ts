/** What SSM and IAM answer for a resource that is not there (any more). */
export const SSM_NOT_FOUND = "DoesNotExistException";
export const IAM_NOT_FOUND = "NoSuchEntityException";
/** What ListTagsForResource answers for an SSM resource that is not there (any more). */
export const TAGS_GONE = "InvalidResourceId";

/**
 * The result of a read, or undefined when the resource vanished between being listed and
 * being read: drift (or a resource to leave out), not a crash. Other errors are thrown.
 */
export async function unlessGone<T>(fn: () => Promise<T>, notFound: string = SSM_NOT_FOUND): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Error && err.name === notFound) return undefined;
    throw err;
  }
}
