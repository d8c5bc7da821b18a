// The seed's schemas service over node:http: GET /schemas (get_schemas) and POST /schemas (save_schema), every query
// through one resolver; tenant and user come from a verified (HMAC-signed) bearer token, never from a client header.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { MalformedContextError, type Resolver, TenantFrozenError, TenantOffboardedError, UnknownTenantError } from "@tenantry/resolver";

export interface Claims {
  tenantId: string;
  userId: string;
}

/** `base64url(JSON claims).base64url(HMAC-SHA256)`: a stand-in for the JWT your identity provider signs. */
export function signToken(claims: Claims, key: string): string {
  const body = Buffer.from(JSON.stringify(claims)).toString("base64url");
  return `${body}.${createHmac("sha256", key).update(body).digest("base64url")}`;
}

function verifyToken(header: string | undefined, key: string): Claims | undefined {
  const token = header?.startsWith("Bearer ") ? header.slice(7) : undefined;
  const [body, mac] = token?.split(".") ?? [];
  if (!body || !mac) return undefined;
  const expected = createHmac("sha256", key).update(body).digest();
  const given = Buffer.from(mac, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Partial<Claims>;
  return typeof claims.tenantId === "string" && typeof claims.userId === "string" ? { tenantId: claims.tenantId, userId: claims.userId } : undefined;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

/** The service; the caller owns the resolver (one per process) and closes it after the server. */
export function schemasService(resolver: Resolver, tokenKey: string): Server {
  return createServer((req, res) => {
    void (async () => {
      const claims = verifyToken(req.headers.authorization, tokenKey);
      if (!claims) return send(res, 401, { error: "a valid bearer token is required" });
      if (req.url !== "/schemas") return send(res, 404, { error: "not found" });
      const schemas = resolver.forTenant(claims).collection("schemas");
      if (req.method === "GET") {
        // get_schemas: the caller's own schemas, newest first, without the tags.
        const docs = await schemas.find({}, { projection: { _id: 0, name: 1, fields: 1 } }).sort({ savedAt: -1 }).toArray();
        return send(res, 200, docs);
      }
      if (req.method === "POST") {
        const body = (await readJson(req).catch(() => undefined)) as { name?: unknown; fields?: unknown } | undefined;
        if (typeof body?.name !== "string" || !Array.isArray(body.fields)) return send(res, 400, { error: "expected { name: string, fields: [] }" });
        // save_schema: tagged tenant_id and user_id by the resolver, whatever the stage.
        await schemas.updateOne({ name: body.name }, { $set: { fields: body.fields, savedAt: new Date() } }, { upsert: true });
        return send(res, 201, { name: body.name });
      }
      return send(res, 405, { error: "GET or POST" });
    })().catch((error: unknown) => {
      if (error instanceof TenantFrozenError) return send(res, 503, { error: "tenant is being moved, retry" }, { "retry-after": "5" });
      if (error instanceof MalformedContextError) return send(res, 401, { error: "bad identity" });
      if (error instanceof UnknownTenantError || error instanceof TenantOffboardedError) return send(res, 403, { error: "no such tenant" });
      send(res, 500, { error: "internal error" });
    });
  });
}
