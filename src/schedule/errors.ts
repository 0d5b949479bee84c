/**
 * A schedule expression or run option that SSM would not accept. The message
 * says what is wrong and what is expected, e.g. "Minutes: 60 is out of range 0-59".
 */
export class ScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScheduleError";
  }
}
