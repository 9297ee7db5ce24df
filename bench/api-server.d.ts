import type { IncomingMessage, ServerResponse } from "http";

/** The bench's stand-in API server's request handler over prepared responses (api-server.js). */
export function catalogueHandler(responses: Record<string, string>): (req: IncomingMessage, res: ServerResponse) => void;
