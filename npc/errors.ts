/** Errors of the NPC brain. Callers decide by class or `code`, never by parsing messages. */
export class NpcError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** True when trying again later may succeed (a busy or restarting brain), false for bad input. */
    readonly retriable = false,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The question cannot be answered as given: empty, too long, or not text. */
export class InvalidQuestionError extends NpcError {}

/** A generation setting is out of range or of the wrong type. */
export class InvalidSettingsError extends NpcError {
  constructor(message: string) {
    super("invalid_settings", message);
  }
}

/** The model folder is missing a file or holds one that cannot be read; the message names the path. */
export class ModelLoadError extends NpcError {
  constructor(
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super("model_unavailable", message, false, options);
  }
}

/** A file of the model folder is not there (moved, deleted, never copied), where a ModelLoadError's may be there but not read. */
export class ModelFileMissing extends ModelLoadError {}
