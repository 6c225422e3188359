/**
 * The one error the image module throws for bad input. `kind` is what a caller branches on (the HTTP layer
 * maps it to 415 / 413 / 413 / 422); `message` is meant for the person who sent the image.
 */
export type ImageInputErrorKind = 'unsupported-type' | 'too-many-bytes' | 'too-many-pixels' | 'undecodable';

export class ImageInputError extends Error {
  readonly kind: ImageInputErrorKind;

  constructor(kind: ImageInputErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ImageInputError';
    this.kind = kind;
  }
}
