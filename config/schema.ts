/**
 * The configuration file, written once as a schema: the loader's validation, the shipped JSON Schema
 * (config/hookline.config.schema.json) and docs/config.md derive from it.
 * Every key is optional; an absent section takes its defaults. With no `ami` and no `kommo`, hookline runs
 * the built-in demo (sim/pbx replaying captures into sim/kommo).
 */
import { Type, type Static, type TOptional, type TSchema } from '@sinclair/typebox';
import { HOOK_NAMES, type HookName } from '../contracts/index.ts';

const strict = { additionalProperties: false } as const;

/** A secret: the value itself, or `{"env": "NAME"}` to read it from the environment at start. */
export const SecretSchema = Type.Union(
  [
    Type.String({ minLength: 1 }),
    Type.Object({ env: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'environment variable name' }) }, strict),
  ],
  { description: 'a string, or {"env": "VARIABLE"} to read it from the environment' },
);

/** A regular expression given as a string; checked to compile when the file is loaded. */
const Pattern = (description: string, def: string) =>
  Type.String({ minLength: 1, default: def, description: `${description} (a JavaScript regular expression)`, format: 'regex' });

const AmiSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, default: '127.0.0.1', description: 'Asterisk host' }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 5038, description: 'AMI port (manager.conf `port`)' }),
    username: Type.String({ minLength: 1, description: 'AMI user (a [section] of manager.conf)' }),
    secret: SecretSchema,
    pingIntervalMs: Type.Integer({ minimum: 1000, default: 15000, description: 'send Ping this often; a Ping with no answer and nothing else received within 5 s, or 3 Pings in a row unanswered while events still arrive, close the connection and open it again' }),
    loginTimeoutMs: Type.Integer({ minimum: 500, default: 10000, description: 'give up a login attempt after this long and retry' }),
  },
  { ...strict, description: 'Connection to Asterisk\'s Manager Interface. Absent: the built-in demo PBX is used.' },
);

const KommoSchema = Type.Object(
  {
    baseUrl: Type.Optional(Type.String({ pattern: '^https?://', description: 'account URL, e.g. https://example.kommo.com (or give subdomain)' })),
    subdomain: Type.Optional(Type.String({ pattern: '^[a-z0-9-]+$', description: 'account subdomain: https://<subdomain>.kommo.com' })),
    token: Type.Optional(SecretSchema),
    oauth: Type.Optional(
      Type.Object(
        {
          clientId: Type.String({ minLength: 1 }),
          clientSecret: SecretSchema,
          redirectUri: Type.String({ minLength: 1 }),
          refreshToken: SecretSchema,
        },
        { ...strict, description: 'OAuth 2 integration; tokens are then kept (and rotated) in the store' },
      ),
    ),
    requestsPerSecond: Type.Number({ exclusiveMinimum: 0, maximum: 7, default: 7, description: "stay under the account's limit (Kommo: 7 requests/s)" }),
    timeoutMs: Type.Integer({ minimum: 100, default: 10000, description: 'per request' }),
  },
  { ...strict, description: 'The Kommo account. Absent: the built-in Kommo emulator is used. Give `token` (long-lived) or `oauth`.' },
);

const PbxSchema = Type.Object(
  {
    internalNumbers: Pattern('an extension is internal when it matches', '^\\d{2,5}$'),
    trunks: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description: 'endpoint names of trunks (the part of a channel name before "-", e.g. "PJSIP/provider"); only these are external lines. Empty: hookline takes trunks from the traffic (an endpoint entering an inbound context, calling from an outside number, or dialled with the outside number in its dial string) and logs once which it took (TRACKER_TRUNK_GUESSED)',
    }),
    inboundContexts: Type.Array(Type.String({ minLength: 1 }), {
      default: ['from-trunk', 'from-pstn', 'from-external', 'from-did-direct'],
      description: 'dialplan contexts that mark a call as coming in from outside',
    }),
    timezone: Type.String({ minLength: 1, default: 'UTC', description: 'IANA time zone of call_full times, e.g. "Europe/Moscow"' }),
  },
  { ...strict, default: {}, description: 'How hookline reads your dialplan.' },
);

const ListSchema = Type.Object(
  {
    blacklist: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'calls touching any of these are not registered' }),
    whitelist: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'if not empty, only calls touching one of these are registered' }),
  },
  strict,
);

const FiltersSchema = Type.Object(
  {
    extensions: Type.Optional(ListSchema),
    trunks: Type.Optional(ListSchema),
  },
  { ...strict, default: {}, description: 'Built-in black/white lists, applied before need_registration.' },
);

const PhoneSchema = Type.Object(
  {
    defaultCountry: Type.String({ pattern: '^[A-Z]{2}$', default: 'RU', description: 'ISO country used to read national numbers (libphonenumber)' }),
    replacements: Type.Array(
      Type.Object(
        {
          match: Type.String({ minLength: 1, format: 'regex', description: 'a JavaScript regular expression' }),
          replace: Type.String({ description: 'replacement, with $1… for groups' }),
        },
        strict,
      ),
      { default: [{ match: '^8(\\d{10})$', replace: '+7$1' }], description: 'automatic replacement rules, applied in order before process_client_phone' },
    ),
    format: Type.Union([Type.Literal('e164'), Type.Literal('asis')], {
      default: 'e164',
      description: 'e164: numbers libphonenumber can read become +<country><number>; asis: only the replacement rules apply',
    }),
  },
  { ...strict, default: {}, description: "The client's number before the CRM look-up." },
);

const RegistrationSchema = Type.Object(
  {
    mode: Type.Union([Type.Literal('contact'), Type.Literal('unsorted')], { default: 'contact', description: 'a new client becomes a contact, or an unsorted (incoming) lead' }),
    createLead: Type.Boolean({ default: false, description: 'create a lead for a call whose contact has no open lead' }),
    pipelineId: Type.Optional(Type.Integer({ minimum: 1, description: 'pipeline for new leads and unsorted; default: the main pipeline' })),
    statusId: Type.Optional(Type.Integer({ minimum: 1, description: 'status for new leads; default: the first status' })),
    tags: Type.Array(Type.String({ minLength: 1 }), { default: ['hookline'], description: 'tags on contacts and leads hookline creates' }),
    defaultUserId: Type.Optional(Type.Integer({ minimum: 1, description: 'Kommo user for calls no extension maps to' })),
    updateResponsible: Type.Boolean({ default: false, description: 'make the user who answered responsible for an existing contact/lead' }),
    tasks: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        deadlineMinutes: Type.Integer({ minimum: 1, default: 60 }),
        responsibleMode: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)], {
          default: 0,
          description: "0 the entity's responsible, 1 the last user who rang, 2 defaultUserId (falling back 0→1→2)",
        }),
        taskTypeId: Type.Integer({ minimum: 1, default: 1, description: 'Kommo task type id: 1 follow-up, 2 meeting (predefined), or one of the account\'s own (GET /api/v4/account?with=task_types); one the account lacks is replaced by 1, logged' }),
      },
      { ...strict, default: {}, description: 'a task on a missed inbound or unanswered outbound call' },
    ),
    phoneIndex: Type.Object(
      {
        enabled: Type.Boolean({ default: true, description: "keep a copy of the account's contact and company phones in the data folder (phone-index.json): a call from a known client costs no phone search; a number not in it is confirmed by one search before a contact is created" }),
        refreshSeconds: Type.Integer({ minimum: 5, maximum: 86400, default: 60, description: 'how often the contacts and companies changed in Kommo (and those deleted or merged) are read into the copy' }),
      },
      { ...strict, default: {}, description: "a local index of the Kommo account's phones (issue 20)" },
    ),
  },
  { ...strict, default: {}, description: 'What hookline writes to Kommo for each call.' },
);

/** What a hook's script may do outside its isolate (issue 19, capabilities/): nothing unless granted here. */
const FetchGrantSchema = Type.Object(
  {
    allow: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description: 'URL patterns the script may fetch: "https://hooks.example.com/in/*" (path prefix), "https://*.example.com/*" (subdomains); https only unless a pattern says http; an IP address in a pattern is the only way to reach loopback or private addresses',
    }),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 60000, default: 5000, description: 'per request, redirects included; never past the hook\'s own timeoutMs' })),
    maxRequestBytes: Type.Optional(Type.Integer({ minimum: 0, maximum: 16 * 1024 * 1024, default: 65536, description: 'request body size' })),
    maxResponseBytes: Type.Optional(Type.Integer({ minimum: 1, maximum: 16 * 1024 * 1024, default: 1048576, description: 'response body size; a longer answer is cut off (FETCH_TOO_LARGE)' })),
    maxRequests: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'requests per invocation' })),
  },
  { ...strict, description: 'fetch(url, init) for this hook\'s script, carried out by hookline' },
);
const KommoGrantSchema = Type.Object(
  {
    read: Type.Optional(Type.Boolean({ default: true, description: 'kommo.request GETs (granted by default)' })),
    write: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'writes granted, as "METHOD /api/v4/path" with * for one path segment: "POST /api/v4/leads/*/notes"' })),
  },
  { ...strict, description: 'kommo.request(method, path, body) through hookline\'s own Kommo client (token, rate limit, retries)' },
);
const StoreGrantSchema = Type.Object(
  {
    maxKeys: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1000 })),
    maxValueBytes: Type.Optional(Type.Integer({ minimum: 16, maximum: 1024 * 1024, default: 16384, description: 'one value\'s JSON' })),
  },
  { ...strict, description: 'store.get/set: a small key-value store of this hook in the data folder (hook-store/<hook>.json); {} grants it with the defaults' },
);

const HookLimitsSchema = Type.Object(
  {
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 600000 })),
    memoryMb: Type.Optional(Type.Integer({ minimum: 8, maximum: 4096 })),
    maxOutputBytes: Type.Optional(Type.Integer({ minimum: 16, maximum: 64 * 1024 * 1024 })),
    fetch: Type.Optional(FetchGrantSchema),
    kommo: Type.Optional(KommoGrantSchema),
    store: Type.Optional(StoreGrantSchema),
  },
  strict,
);

/** need_registration also says what its failure means: the seed leaves it open. */
const NeedRegistrationSchema = Type.Object(
  {
    ...HookLimitsSchema.properties,
    onFailure: Type.Optional(
      Type.Union([Type.Literal('register'), Type.Literal('skip')], {
        default: 'register',
        description: 'when the script fails (throws, times out, is quarantined, breaks the contract): "register" goes on with the default data (result true: the call is registered); "skip" registers nothing at that stage, so a filter never fails open',
      }),
    ),
  },
  strict,
);

const everyHook = Object.fromEntries(HOOK_NAMES.map((h) => [h, Type.Optional(HookLimitsSchema)])) as Record<HookName, TOptional<typeof HookLimitsSchema>>;
const HooksSchema = Type.Object(
  { ...everyHook, need_registration: Type.Optional(NeedRegistrationSchema) },
  { ...strict, default: {}, description: 'Per-hook limits overriding the defaults of docs/hooks.md; what the hook\'s script may do outside its sandbox (fetch, kommo, store: nothing unless granted); for need_registration also its failure policy.' },
);

const QuarantineSchema = Type.Object(
  {
    after: Type.Integer({ minimum: 0, maximum: 1000, default: 3, description: 'TIMEOUT or MEMORY_LIMIT failures in a row of a published version that suspend it (0: never)' }),
    seconds: Type.Integer({ minimum: 1, maximum: 86400, default: 60, description: 'the first suspension; each next one of the same version lasts twice as long' }),
    maxSeconds: Type.Integer({ minimum: 1, maximum: 604800, default: 3600, description: 'the longest suspension' }),
  },
  { ...strict, default: {}, description: 'A published version that keeps timing out or running out of memory is suspended: its invocations take the failure policy at once, without running. Publishing a new version or rolling back lifts it.' },
);

const SandboxSchema = Type.Object(
  {
    ownChildIdleSeconds: Type.Integer({
      minimum: 1,
      maximum: 604800,
      default: 300,
      description: 'a sandbox process of its own (started for a script that timed out, ran out of memory or crashed) is closed after this long without invocations, and started again, warming the script first, by its next one',
    }),
  },
  { ...strict, default: {}, description: 'The sandbox processes scripts run in (issue 14).' },
);

const RecordingsSchema = Type.Object(
  {
    dir: Type.String({ minLength: 1, default: '/var/spool/asterisk/monitor', description: 'the folder MixMonitor writes to' }),
    publicBaseUrl: Type.Optional(Type.String({ pattern: '^https?://', description: 'how Kommo reaches hookline\'s recording links, e.g. https://pbx.example.com:8080' })),
    linkTtlHours: Type.Integer({ minimum: 1, default: 24 * 90, description: 'signed links expire after this long' }),
    convertToMp3: Type.Boolean({ default: true, description: 'convert WAV to MP3 (Kommo\'s player plays MP3 only) with lame or ffmpeg when no process_record_file_path script is published' }),
    pbxDir: Type.Optional(Type.String({
      pattern: '^/',
      description: 'the recordings folder as Asterisk names it, when hookline sees it at `dir` instead (a mount on another host): paths under it are read under `dir`',
    })),
  },
  { ...strict, default: {}, description: 'Call recordings linked from Kommo.' },
);

const EditorSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, default: '127.0.0.1', description: 'address the editor and its API listen on' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
    trustProxy: Type.Array(Type.String({ minLength: 1, format: 'ip-or-cidr' }), {
      default: [],
      description:
        'addresses or CIDR blocks of reverse proxies in front of hookline (e.g. ["127.0.0.1"] for nginx on this host): their X-Forwarded-For names the client, so login and click-to-call limits count per client. Empty: X-Forwarded-For is ignored',
    }),
    hosts: Type.Array(Type.String({ pattern: '^(?=.{1,253}\\.?$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\\.?$', description: 'a host name, without port or scheme' }), {
      default: [],
      description:
        'host names hookline is reached under (e.g. ["pbx.example.com"]), besides those it always answers to: localhost, IP addresses, editor.host and the host of recordings.publicBaseUrl. A request naming another host (Host, or X-Forwarded-Host from a proxy in trustProxy) is refused with 421 HOST_NOT_ALLOWED, against DNS rebinding; signed recording links and click-to-call (bearer token) are answered whatever the host',
    }),
    admin: Type.Optional(
      Type.Object(
        {
          username: Type.String({ minLength: 1, default: 'admin' }),
          password: Type.Optional(SecretSchema),
          passwordHash: Type.Optional(Type.String({ minLength: 1, description: 'scrypt hash as stored by hookline' })),
        },
        strict,
      ),
    ),
  },
  { ...strict, default: {}, description: 'The web editor. With no admin configured, hookline generates a password on first start and prints it once.' },
);

const CapturesSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'keep the inputs hooks received, for replay in the editor' }),
    ringSize: Type.Integer({ minimum: 1, maximum: 100000, default: 200, description: 'inputs kept per hook' }),
  },
  { ...strict, default: {}, description: 'Captured hook inputs for replay.' },
);

const ClickToCallSchema = Type.Object(
  {
    token: Type.Optional(SecretSchema),
    users: Type.Record(Type.String({ pattern: '^\\d+$' }), Type.String({ minLength: 1 }), {
      default: {},
      additionalProperties: false,
      description: 'Kommo user id → extension; absent users are looked up in pbx users',
    }),
    context: Type.String({ minLength: 1, default: 'from-internal', description: 'dialplan context the call is dialled out from once the user answers (it must be allowed to reach your trunks)' }),
    channel: Type.String({
      pattern: '\\{extension\\}',
      default: 'PJSIP/{extension}',
      description: "the channel that rings the user first; {extension} is the user's extension (e.g. \"SIP/{extension}\", \"Local/{extension}@from-internal\")",
    }),
    callerId: Type.String({
      minLength: 1,
      default: '"{number}" <{extension}>',
      description: "CallerID of the originated call: {number} is the number clicked, {extension} the user's. The number part stays the user's extension so that the dialplan recognises the user and dials out with the user's own outbound CallerID",
    }),
    ringTimeoutSec: Type.Integer({ minimum: 5, maximum: 300, default: 30, description: "how long the user's phone rings before the attempt is given up" }),
    // Kept in step with DEFAULT_DIALABLE in engine/click-to-call/request.ts.
    dialable: Pattern(
      'the numbers a request may ask to dial, tested after spaces, dashes, dots and brackets are removed; anything else is refused (400). The default, digits with an optional leading +, keeps feature codes (*21*…#, *97) out of reach of whoever holds the token',
      '^\\+?[0-9]{1,32}$',
    ),
  },
  { ...strict, default: {}, description: 'POST /api/click-to-call from a Kommo widget.' },
);

const AutodistributionSchema = Type.Object(
  {
    allowFrom: Type.Array(Type.String({ minLength: 1, format: 'ip-or-cidr' }), { default: ['127.0.0.1', '::1'], description: 'addresses Asterisk calls from (IP addresses or CIDR blocks)' }),
    deadlineMs: Type.Integer({ minimum: 10, maximum: 10000, default: 500 }),
  },
  { ...strict, default: {}, description: 'GET /autodistribution for the dialplan.' },
);

const StoriesSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: "record each call's story (events, stage decisions, hook invocations, Kommo requests and answers) for the editor's Calls page and the dry run" }),
    maxCalls: Type.Integer({ minimum: 1, maximum: 1000000, default: 10000, description: 'stories kept (the newest)' }),
    maxDays: Type.Number({ exclusiveMinimum: 0, maximum: 3650, default: 30, description: 'stories older than this many days are removed' }),
    maxMegabytes: Type.Number({ exclusiveMinimum: 0, maximum: 1000000, default: 512, description: 'disk space for stories and their events together (each gets half); the oldest go first' }),
    eventsCalls: Type.Integer({ minimum: 0, maximum: 1000000, default: 2000, description: 'calls whose AMI/CEL events are kept (the newest; at most maxCalls): the capture download and the dry run need them' }),
    fsync: Type.Boolean({ default: false, description: 'fsync each written batch (survives a power cut; a crash of hookline loses nothing written either way)' }),
  },
  { ...strict, default: {}, description: "Each call's story, in `<dataDir>/stories/` (docs/design/stories.md). Stories hold clients' numbers: only an admin session reads them." },
);

const MetricsSchema = Type.Object(
  {
    token: Type.Optional(SecretSchema),
  },
  { ...strict, default: {}, description: 'GET /metrics (Prometheus). Without a token only loopback clients are answered; with one, `Authorization: Bearer <token>` from anywhere.' },
);

const CelSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('mysql'), Type.Literal('postgres'), Type.Literal('csv')], { description: 'where Asterisk writes CEL: a MySQL/MariaDB table (FreePBX asteriskcdrdb.cel, cel_odbc), a PostgreSQL table (cel_pgsql) or a CSV file (cel_custom)' }),
    url: Type.Optional(SecretSchema),
    password: Type.Optional(SecretSchema),
    table: Type.String({ minLength: 1, pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?$', default: 'cel', description: 'the CEL table (mysql, postgres), optionally schema- or database-qualified ("asteriskcdrdb.cel")' }),
    timezone: Type.Optional(Type.String({ minLength: 1, description: 'IANA time zone of `eventtime` values written without an offset (default: pbx.timezone)' })),
    path: Type.Optional(Type.String({ minLength: 1, description: 'the CSV file cel_custom writes (csv), e.g. /var/log/asterisk/cel-custom/Master.csv' })),
    columns: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'the CSV file\'s columns in order, named as the cel table\'s (default: the Master.csv mapping of the sample cel_custom.conf; docs/design/cel.md)' })),
    catchUp: Type.Object(
      {
        enabled: Type.Boolean({ default: true, description: 'at start and after every AMI reconnect, register the calls that ended while hookline was not following' }),
        overlapMs: Type.Integer({ minimum: 0, default: 120000, description: 'start the catch-up this long before the last event hookline saw (calls already registered are not written again)' }),
        maxGapHours: Type.Number({ exclusiveMinimum: 0, default: 72, description: 'the longest gap caught up; the outbox remembers registered calls at least this long (a longer gap: the rest with `hookline reprocess`)' }),
        delayMs: Type.Integer({ minimum: 0, default: 2000, description: 'wait this long after (re)connecting before reading CEL, so that the rows of the last calls are written' }),
      },
      { ...strict, default: {} },
    ),
  },
  { ...strict, description: 'Asterisk\'s CEL (Channel Event Logging), read to catch up with the calls that ended while hookline was stopped or cut off, and by `hookline reprocess`. Absent: no catch-up. docs/design/cel.md.' },
);

const UsersSchema = Type.Record(Type.String({ pattern: '^\\d+$', description: 'extension' }), Type.Integer({ minimum: 1, description: 'Kommo user id' }), {
  default: {},
  // TypeBox's Record puts the key pattern in patternProperties only: without this any key passed.
  additionalProperties: false,
  description: 'extension → Kommo user id; extensions not listed are matched by the users list where possible',
});

export const ConfigSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    dataDir: Type.String({ minLength: 1, default: './data', description: 'where the store keeps scripts, captures, the outbox and tokens' }),
    log: Type.Object({ level: Type.Union(['trace', 'debug', 'info', 'warn', 'error'].map((l) => Type.Literal(l)), { default: 'info' }) }, { ...strict, default: {} }),
    ami: Type.Optional(AmiSchema),
    kommo: Type.Optional(KommoSchema),
    pbx: PbxSchema,
    filters: FiltersSchema,
    phone: PhoneSchema,
    registration: RegistrationSchema,
    users: UsersSchema,
    hooks: HooksSchema,
    quarantine: QuarantineSchema,
    sandbox: SandboxSchema,
    recordings: RecordingsSchema,
    editor: EditorSchema,
    captures: CapturesSchema,
    stories: StoriesSchema,
    clickToCall: ClickToCallSchema,
    autodistribution: AutodistributionSchema,
    metrics: MetricsSchema,
    cel: Type.Optional(CelSchema),
  },
  { ...strict, $id: 'https://hookline.local/hookline.config.schema.json', title: 'hookline configuration' },
);

/** The file as written: a secret may still be `{"env": "NAME"}`. */
export type ConfigFile = Static<typeof ConfigSchema>;
export type Secret = Static<typeof SecretSchema>;
/** The configuration as loaded (loadConfig, checkConfig): every secret resolved to its value, defaults filled. */
export type Config = Resolved<ConfigFile>;

/** A value of the file with each `{"env": "NAME"}` secret replaced by the string it resolves to. */
type Resolved<T> = T extends { env: string }
  ? Exclude<keyof T, 'env'> extends never
    ? never
    : { [K in keyof T]: Resolved<T[K]> }
  : T extends readonly (infer U)[]
    ? Resolved<U>[]
    : T extends object
      ? { [K in keyof T]: Resolved<T[K]> }
      : T;

/** Walk a schema's properties (for docs): yields [json path, schema]. */
export function* walkSchema(schema: TSchema, path = ''): Generator<[string, TSchema]> {
  const props = (schema as { properties?: Record<string, TSchema> }).properties;
  if (!props) return;
  for (const [k, s] of Object.entries(props)) {
    if (k === '$schema') continue;
    const p = path ? `${path}.${k}` : k;
    yield [p, s];
    yield* walkSchema(s, p);
  }
}
