import { bodyLimit as honoBodyLimit } from "hono/body-limit";
import { AppError } from "../errors";

export const MAX_BODY_BYTES = 1024 * 1024;

export const bodyLimit = honoBodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new AppError("payload_too_large", "The request body is larger than 1 MiB");
  },
});
