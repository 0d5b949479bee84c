import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";

export type NotificationKind = "failure" | "drift" | "applied" | "freeze";

export interface Notification {
  kind: NotificationKind;
  owner: string;
  commit?: string;
  /** One line for humans (Slack-compatible `text`). */
  text: string;
  /** Structured details (counts, keys); never sensitive values. */
  details: Record<string, unknown>;
}

export interface Notifier {
  send(n: Notification): Promise<void>;
}

/** JSON POST with a Slack-compatible `text` field. */
export class WebhookNotifier implements Notifier {
  constructor(private readonly url: string) {
    const u = new URL(url);
    if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error(`--notify-webhook must be an http(s) URL (got ${u.protocol})`);
  }
  async send(n: Notification): Promise<void> {
    const res = await fetch(this.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(n), signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`webhook answered ${res.status}`);
  }
}

/** SNS Publish, as the seed recipe notifies. */
export class SnsNotifier implements Notifier {
  private readonly client: SNSClient;
  constructor(private readonly topicArn: string, region: string, endpoint?: string) {
    this.client = new SNSClient({ region, endpoint });
  }
  async send(n: Notification): Promise<void> {
    await this.client.send(new PublishCommand({ TopicArn: this.topicArn, Subject: `patchctl ${n.kind}: ${n.owner}`.slice(0, 100), Message: JSON.stringify(n) }));
  }
}

/** Sends to every notifier; a failing notifier is reported, never fatal. */
export async function notifyAll(notifiers: Notifier[], n: Notification, onError: (err: unknown) => void): Promise<void> {
  await Promise.all(notifiers.map((x) => x.send(n).catch(onError)));
}
