import { DurableObject } from "cloudflare:workers";

export class AppSession extends DurableObject<Env> {}
