using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.KillTest;
using NeighbourHub.TestSupport;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Organisation;

// deploy/kill-test.sh sets these; see that script for what each one is.
static string Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : throw new InvalidOperationException($"{name} is not set (run deploy/kill-test.sh)");

var nginx = Env("NH_KILL_NGINX");
var appDll = Env("NH_KILL_APP");
var ports = Env("NH_KILL_PORTS").Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
var database = Env("NH_KILL_DB");
var redis = Env("NH_TEST_REDIS");
var dir = Env("NH_KILL_DIR");
var scripts = (DbStop: Env("NH_KILL_DB_STOP"), DbStart: Env("NH_KILL_DB_START"), RedisStop: Env("NH_KILL_REDIS_STOP"), RedisStart: Env("NH_KILL_REDIS_START"));
var failures = new List<string>();
void Check(bool ok, string what)
{
    Console.WriteLine($"{(ok ? "  ok  " : "  FAIL")} {what}");
    if (!ok)
    {
        failures.Add(what);
    }
}

Console.WriteLine("== kill test: fakes of WeChat and WeChat Pay, seed data");
await using var wechat = await FakeWeChatServer.StartAsync();
wechat.TokenLatency = TimeSpan.Zero;
await using var pay = await FakeWeChatPayServer.StartAsync();
var templates = new Dictionary<string, string> { ["bill.overdue"] = "tpl-overdue", ["event.promoted"] = "tpl-promoted" };
var shared = new Dictionary<string, string?>(pay.AppSettings)
{
    ["Fund:SigningKeyPath"] = Path.Combine(dir, "fund-signing.pem"),
    ["Files:Directory"] = Path.Combine(dir, "files"),
    // Callbacks arrive through nginx at this address; the fake checks only that it is https.
    ["WeChatPay:NotifyUrl"] = $"{nginx}/api/v1/payments/wechat/notify",
    ["WeChatPay:RefundNotifyUrl"] = $"{nginx}/api/v1/payments/wechat/refund-notify",
};
foreach (var (k, v) in templates)
{
    // As an operator writes it in the environment file: the dot of the event name as an underscore.
    shared[$"WeChat:Templates:{k.Replace('.', '_')}"] = v;
}

// Production with Redis keeps the data-protection key ring encrypted with a certificate, as deploy/README.md sets
// it up: a throw-away self-signed PFX here.
var keyCertificate = Path.Combine(dir, "data-protection.pfx");
const string keyCertificatePassword = "kill-test";
using (var rsa = System.Security.Cryptography.RSA.Create(2048))
{
    var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=NeighbourHub kill test data protection", rsa,
        System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
    using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    File.WriteAllBytes(keyCertificate, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, keyCertificatePassword));
}

shared["DataProtection:CertificatePath"] = keyCertificate;
shared["DataProtection:CertificatePassword"] = keyCertificatePassword;

// The seeding app runs in this process on the same database (no jobs: every poll is 0 there), and issues the
// residents' tokens with the same key the instances check them with.
await using var seeder = new NeighbourHubAppFactory(DatabaseProvider.MySql, database, wechat, useRedis: true, shared);
_ = seeder.Server;
var org = await TestOrg.SeedAsync(seeder);
var admin = await seeder.AdminClientAsync("adminA");
long unitId, buildingId;
await using (var db = seeder.SystemDb())
{
    var first = await db.Households.SingleAsync(h => h.Id == org.HouseholdsA1[0]);
    (unitId, buildingId) = (first.UnitId, first.BuildingId);
    db.Households.AddRange(Enumerable.Range(0, 36).Select(n => new Household { EstateId = org.EstateA1, BuildingId = buildingId, UnitId = unitId, Room = $"2{n:00}", AreaM2 = 90 }));
    await db.SaveChangesAsync();
}

List<long> households;
await using (var db = seeder.SystemDb())
{
    households = await db.Households.Where(h => h.EstateId == org.EstateA1).OrderBy(h => h.Id).Select(h => h.Id).ToListAsync();
}

var payers = await seeder.CreateResidentsAsync("payer", households.Count);
for (var i = 0; i < payers.Count; i++)
{
    var resident = seeder.ClientWithToken(payers[i].Token);
    var applied = await resident.PostAsync("/api/v1/me/residences", System.Net.Http.Json.JsonContent.Create(new { householdId = households[i], relation = "owner", realName = "张三" }));
    var residenceId = (await applied.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    (await admin.PostAsync($"/api/v1/admin/residences/{residenceId}/approve", null)).EnsureSuccessStatusCode();
}

(await admin.PostAsJsonAsync("/api/v1/admin/fee-items", new { estateId = org.EstateA1, name = "物业费", kind = "fixedMonthly", unitPriceFen = 15000, effectiveFrom = "2026-01-01", dueDay = 15 })).EnsureSuccessStatusCode();
(await admin.PostAsJsonAsync("/api/v1/admin/billing/runs", new { estateId = org.EstateA1, period = "2026-11" })).EnsureSuccessStatusCode();
var eventStarts = DateTimeOffset.UtcNow.AddDays(2);
var created = await admin.PostAsJsonAsync("/api/v1/admin/events", new
{
    estateId = org.EstateA1,
    title = "邻里百家宴",
    description = "一起包饺子",
    location = "小区广场",
    startsAt = eventStarts,
    endsAt = eventStarts.AddHours(3),
    signupOpensAt = DateTimeOffset.UtcNow.AddMinutes(-1),
    signupClosesAt = eventStarts.AddHours(-1),
    capacity = 30,
    verifiedOnly = false,
    isVolunteer = false,
    pointsAwarded = 0,
});
created.EnsureSuccessStatusCode();
var eventId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
// An event is published when created, as the integration tests' events are (409 here would say "already published").
var burst = await seeder.CreateResidentsAsync("burst", 150);

Dictionary<long, long> billOf; // resident → their one bill
long categoryId, adminId;
await using (var db = seeder.SystemDb())
{
    var bills = await db.Bills.Where(b => b.EstateId == org.EstateA1).ToDictionaryAsync(b => b.HouseholdId, b => b.Id);
    billOf = payers.Select((p, i) => (p.Id, Bill: bills[households[i]])).ToDictionary(x => x.Id, x => x.Bill);
    categoryId = await db.RepairCategories.Where(c => c.EstateId == org.EstateA1 && !c.IsPublicArea).OrderBy(c => c.Id).Select(c => c.Id).FirstAsync();
    adminId = await db.Users.Where(u => u.UserName == "adminA").Select(u => u.Id).SingleAsync();
}

Console.WriteLine($"   {payers.Count} residents with a bill each, an event with 30 seats for {burst.Count} residents, estate {org.EstateA1}");

Console.WriteLine($"== three instances on {string.Join(", ", ports)} behind nginx at {nginx}");
var environment = new Dictionary<string, string>
{
    ["ASPNETCORE_ENVIRONMENT"] = "Production",
    ["DOTNET_gcServer"] = "0",
    ["Database__Provider"] = "MySql",
    ["ConnectionStrings__NeighbourHub"] = database,
    ["ConnectionStrings__Redis"] = $"{redis},abortConnect=false",
    ["Redis__KeyPrefix"] = "nh-kill:",
    ["Jwt__SigningKey"] = NeighbourHubAppFactory.JwtKey,
    ["Demo__Seed"] = "false",
    ["WeChat__AppId"] = FakeWeChatServer.AppId,
    ["WeChat__AppSecret"] = FakeWeChatServer.AppSecret,
    ["WeChat__BaseUrl"] = wechat.BaseUrl,
    ["Outbox__PollSeconds"] = "1",
    ["Outbox__FirstRetrySeconds"] = "1",
    ["RateLimiting__ResidentLoginPerAddressPerMinute"] = "100000",
    ["RateLimiting__RefreshPerAddressPerMinute"] = "100000",
    ["RateLimiting__AdminLoginPerAddressPerMinute"] = "100000",
    ["Logging__LogLevel__Default"] = "Warning",
};
foreach (var (k, v) in shared)
{
    environment[k.Replace(":", "__", StringComparison.Ordinal)] = v ?? "";
}

var instances = ports.Select(p => new Instance(p, appDll, environment, Path.Combine(dir, $"instance-{p}.log"))).ToList();
// A driver that dies must not leave instances behind.
AppDomain.CurrentDomain.UnhandledException += (_, _) => instances.ForEach(i => i.Kill());
// Starting three instances on a busy two-core machine can take a while (JIT, the EF model); a real start takes seconds.
var readyLimit = TimeSpan.FromSeconds(int.Parse(Environment.GetEnvironmentVariable("NH_KILL_READY_SECONDS") ?? "180", CultureInfo.InvariantCulture));
using var direct = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
foreach (var instance in instances)
{
    instance.Start();
}

async Task AllReadyAsync()
{
    foreach (var instance in instances)
    {
        await instance.WaitReadyAsync(direct, readyLimit);
    }
}

await AllReadyAsync();
using var through = new Through(nginx, Env("NH_KILL_CERT"));
var adminLogin = await through.SendAsync(HttpMethod.Post, "/api/v1/admin/auth/login", null, new { userName = "adminA", password = TestOrg.Password });
if (adminLogin.Status != 200)
{
    throw new InvalidOperationException($"admin login through nginx: {adminLogin.Status} {adminLogin.Text}");
}

var adminToken = adminLogin.Body.GetProperty("accessToken").GetString()!;

// What the clients did, for the checks afterwards.
var repairKeys = new ConcurrentDictionary<string, long>(); // key → resident
var grantKeys = new ConcurrentBag<string>();
var paidPayers = new ConcurrentBag<long>();
var payerQueue = new ConcurrentQueue<(long Id, string Token)>(payers);
var problems = new ConcurrentQueue<string>();
var random = new Random(16);

async Task Reader(PhaseStats stats, CancellationToken stop)
{
    string[] paths = ["/api/v1/me", "/api/v1/events", "/api/v1/bills", "/api/v1/repairs"];
    var rnd = new Random(random.Next());
    while (!stop.IsCancellationRequested)
    {
        var (_, token) = payers[rnd.Next(payers.Count)];
        var answer = await through.SendAsync(HttpMethod.Get, paths[rnd.Next(paths.Length)], token);
        stats.Record("read", answer.Status, answer.Status >= 500 ? answer.Text : null);
        if (PhaseStats.Failed(answer.Status))
        {
            await Task.Delay(50, CancellationToken.None);
        }
    }
}

async Task Repairs(PhaseStats stats, CancellationToken stop)
{
    var rnd = new Random(random.Next());
    while (!stop.IsCancellationRequested)
    {
        var i = rnd.Next(payers.Count);
        var key = Guid.NewGuid().ToString("N");
        repairKeys[key] = payers[i].Id;
        var body = new { estateId = org.EstateA1, householdId = households[i], categoryId, description = $"厨房水管漏水 {key}", location = "厨房" };
        var answer = await through.UntilAnsweredAsync(stats, "repair", () => through.SendAsync(HttpMethod.Post, "/api/v1/repairs", payers[i].Token, body, key));
        if (answer.Status != 201)
        {
            problems.Enqueue($"repair {key}: {answer.Status} {answer.Text}");
        }
    }
}

async Task Grants(PhaseStats stats, CancellationToken stop)
{
    var rnd = new Random(random.Next());
    while (!stop.IsCancellationRequested)
    {
        var key = Guid.NewGuid().ToString("N");
        grantKeys.Add(key);
        var body = new { residentId = payers[rnd.Next(payers.Count)].Id, points = 5, category = "volunteerService", memo = "楼道清扫" };
        var answer = await through.UntilAnsweredAsync(stats, "grant", () => through.SendAsync(HttpMethod.Post, "/api/v1/admin/timebank/grants", adminToken, body, key));
        if (answer.Status is not (200 or 201))
        {
            problems.Enqueue($"grant {key}: {answer.Status} {answer.Text}");
        }

        await Task.Delay(150, CancellationToken.None);
    }
}

/// <summary>A resident pays their bill (retrying with the same key), pays in WeChat, and WeChat Pay calls back twice at once.</summary>
async Task Payments(PhaseStats stats, int count)
{
    for (var n = 0; n < count && payerQueue.TryDequeue(out var payer); n++)
    {
        var key = Guid.NewGuid().ToString("N");
        var order = await through.UntilAnsweredAsync(stats, "payment", () => through.SendAsync(HttpMethod.Post, "/api/v1/payments", payer.Token, new { billIds = new[] { billOf[payer.Id] } }, key));
        if (order.Status == 409 && order.Text.Contains("换一个新的", StringComparison.Ordinal))
        {
            // The first attempt died half-way: the app asks for a fresh key, as a client would then use.
            key = Guid.NewGuid().ToString("N");
            order = await through.UntilAnsweredAsync(stats, "payment", () => through.SendAsync(HttpMethod.Post, "/api/v1/payments", payer.Token, new { billIds = new[] { billOf[payer.Id] } }, key));
        }

        if (order.Status is not (200 or 201))
        {
            problems.Enqueue($"payment for resident {payer.Id}: {order.Status} {order.Text}");
            continue;
        }

        var outTradeNo = order.Body.GetProperty("outTradeNo").GetString()!;
        pay.Pay(outTradeNo);
        var callback = pay.PaymentCallback(outTradeNo);
        var deliveries = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => through.UntilAnsweredAsync(stats, "callback",
            () => through.SendAsync(HttpMethod.Post, "/api/v1/payments/wechat/notify", null, rawBody: callback.Body, headers: new Dictionary<string, string>
            {
                [NeighbourHub.WeChat.Pay.SignatureHeaders.TimestampHeader] = callback.Headers.Timestamp ?? "",
                [NeighbourHub.WeChat.Pay.SignatureHeaders.NonceHeader] = callback.Headers.Nonce ?? "",
                [NeighbourHub.WeChat.Pay.SignatureHeaders.SignatureHeader] = callback.Headers.Signature ?? "",
                [NeighbourHub.WeChat.Pay.SignatureHeaders.SerialHeader] = callback.Headers.Serial ?? "",
            }))));
        if (deliveries.Any(d => d.Status is not (200 or 204)))
        {
            problems.Enqueue($"callback for {outTradeNo}: {string.Join(", ", deliveries.Select(d => $"{d.Status} {d.Text}"))}");
        }

        paidPayers.Add(payer.Id);
    }
}

async Task SignupBurst(PhaseStats stats)
{
    var answers = await Task.WhenAll(burst.Select(r => through.UntilAnsweredAsync(stats, "signup",
        () => through.SendAsync(HttpMethod.Post, $"/api/v1/events/{eventId}/signups", r.Token))));
    foreach (var a in answers.Where(a => a.Status is not (200 or 201)))
    {
        problems.Enqueue($"signup: {a.Status} {a.Text}");
    }

    // Six of the first seated change their minds: six from the waiting list move up, in ticket order, each told once.
    var seated = burst.Zip(answers).Where(x => x.Second.Status is 200 or 201 && x.Second.Body.GetProperty("status").GetString() == "confirmed").Take(6).ToList();
    foreach (var (resident, _) in seated)
    {
        var cancel = await through.UntilAnsweredAsync(stats, "signup", () => through.SendAsync(HttpMethod.Delete, $"/api/v1/events/{eventId}/signups/me", resident.Token));
        if (cancel.Status is not (200 or 204))
        {
            problems.Enqueue($"cancel: {cancel.Status} {cancel.Text}");
        }
    }
}

async Task<PhaseStats> Phase(string name, double seconds, int payments, double disruptAt, Func<Task> disrupt, double restoreAt, Func<Task> restore, Func<PhaseStats, Task>? extra = null)
{
    Console.WriteLine($"== phase: {name}");
    var stats = new PhaseStats(name);
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
    var work = new List<Task>();
    work.AddRange(Enumerable.Range(0, 6).Select(_ => Reader(stats, stop.Token)));
    work.AddRange(Enumerable.Range(0, 2).Select(_ => Repairs(stats, stop.Token)));
    work.Add(Grants(stats, stop.Token));
    work.AddRange(Enumerable.Range(0, 2).Select(_ => Payments(stats, payments / 2)));
    if (extra is not null)
    {
        work.Add(extra(stats));
    }

    work.Add(Task.Run(async () =>
    {
        await Task.Delay(TimeSpan.FromSeconds(disruptAt));
        var from = stats.Now;
        await disrupt();
        await Task.Delay(TimeSpan.FromSeconds(restoreAt - disruptAt));
        await restore();
        stats.Disruption = (from, stats.Now);
    }));
    await Task.WhenAll(work);
    return stats;
}

var phases = new List<PhaseStats>();
var victim = instances[1];
phases.Add(await Phase("one instance SIGKILLed", 16, 16, 3, () =>
    {
        Console.WriteLine($"   SIGKILL {victim.Name}");
        victim.Kill();
        return Task.CompletedTask;
    }, 10, () =>
    {
        Console.WriteLine($"   restart {victim.Name}");
        victim.Start();
        return Task.CompletedTask;
    },
    async stats =>
    {
        await Task.Delay(2500);
        var burstTask = SignupBurst(stats);
        await Task.Delay(700);
        // Overdue reminders: forty subscribe messages for the outbox to deliver while an instance dies.
        var reminded = await through.UntilAnsweredAsync(stats, "remind", () => through.SendAsync(HttpMethod.Post, "/api/v1/admin/billing/reminders", adminToken, new { estateId = org.EstateA1 }));
        if (reminded.Status != 200)
        {
            problems.Enqueue($"reminders: {reminded.Status} {reminded.Text}");
        }

        await burstTask;
    }));
await AllReadyAsync();

phases.Add(await Phase("MariaDB restarted", 16, 12, 3, async () =>
    {
        Console.WriteLine("   stop MariaDB");
        await Scripts.RunAsync(scripts.DbStop);
    }, 6, async () =>
    {
        Console.WriteLine("   start MariaDB");
        await Scripts.RunAsync(scripts.DbStart);
    }));
await AllReadyAsync();

phases.Add(await Phase("Redis killed", 15, 12, 3, async () =>
    {
        Console.WriteLine("   SIGKILL Redis");
        await Scripts.RunAsync(scripts.RedisStop);
    }, 9, async () =>
    {
        Console.WriteLine("   start Redis");
        await Scripts.RunAsync(scripts.RedisStart);
    }));
await AllReadyAsync();

Console.WriteLine("== what the clients saw (failed = no answer, 5xx or 429; 409 asks for a retry)");
foreach (var stats in phases)
{
    Console.WriteLine(stats.Summary());
}

Console.WriteLine("== waiting for the outbox to drain");
// A message leased by the instance that was SIGKILLed (or whose connection died with MariaDB) waits out its lease
// (two minutes, OutboxDispatcher) before another instance takes it: wait longer than that, not less.
var drained = false;
var draining = System.Diagnostics.Stopwatch.StartNew();
while (!drained && draining.Elapsed < TimeSpan.FromSeconds(150))
{
    await using var db = seeder.SystemDb();
    try
    {
        drained = !await db.OutboxMessages.AnyAsync(m => m.ProcessedAt == null);
    }
    catch (Exception e) when (NeighbourHub.Web.Data.DeadConnections.IsDeadConnection(e))
    {
        // This process's own pool may still hold a connection from before MariaDB's restart: its first use finds it
        // dead and empties the pool (DeadConnections); ask again.
    }

    if (!drained)
    {
        await Task.Delay(500);
    }
}

Console.WriteLine("== checks from the database");
Check(drained, "the outbox drained (every message processed)");
Check(problems.IsEmpty, $"every client request was finally answered as expected{(problems.IsEmpty ? "" : ": " + string.Join(" | ", problems.Take(5)))}");
foreach (var stats in phases)
{
    var fivehundreds = stats.Samples.Where(s => s.Status == 500).ToList();
    Check(fivehundreds.Count == 0, $"{stats.Name}: no 500 answers ({fivehundreds.Count}{(fivehundreds.Count > 0 ? ": " + fivehundreds[0].Detail : "")})");
}

Check(phases[0].FailedShare("read", windowOnly: true) < 0.05, "one instance SIGKILLed: the survivors kept serving reads (< 5% failed in the failover window; nginx retries idempotent GETs)");
Check(phases[2].FailedShare("read", windowOnly: true) < 0.05, "Redis killed: reads kept working on the database path (< 5% failed)");
foreach (var stats in phases)
{
    var late = stats.Samples.Where(s => stats.Disruption is { } d && s.At > d.To + 5 && PhaseStats.Failed(s.Status)).ToList();
    Check(late.Count == 0, $"{stats.Name}: recovered by itself (no failures from 5 s after the disruption ended; {late.Count})");
}

await using (var db = seeder.SystemDb())
{
    // Repairs: each key took effect exactly once.
    var descriptions = await db.Repairs.Where(r => r.EstateId == org.EstateA1).Select(r => r.Description).ToListAsync();
    var perKey = descriptions.Where(d => d.StartsWith("厨房水管漏水 ", StringComparison.Ordinal)).GroupBy(d => d[7..]).ToDictionary(g => g.Key, g => g.Count());
    var missing = repairKeys.Keys.Count(k => !perKey.ContainsKey(k));
    var doubled = perKey.Count(kv => kv.Value > 1);
    Check(missing == 0 && doubled == 0, $"repairs: {repairKeys.Count} keys, each exactly once (missing {missing}, doubled {doubled})");

    // Time-bank grants: each key one transaction, and the ledger balances.
    var refs = await db.LedgerTransactions.Where(t => t.SourceRef.StartsWith("grant:")).Select(t => t.SourceRef).ToListAsync();
    var grantCounts = refs.GroupBy(r => r).ToDictionary(g => g.Key, g => g.Count());
    var grantsMissing = grantKeys.Count(k => !grantCounts.ContainsKey($"grant:{adminId}:{k}"));
    Check(grantsMissing == 0 && grantCounts.Values.All(c => c == 1), $"time-bank grants: {grantKeys.Count} keys, each exactly once (missing {grantsMissing})");
    var verification = await NeighbourHub.Web.Features.TimeBank.TimeBankLedger.VerifyAsync(db, CancellationToken.None);
    Check(verification.Valid, $"time bank verifies: {verification.Transactions} transactions, postings sum {verification.PostingsSum} {string.Join("; ", verification.Problems)}");

    // Sign-ups: never oversold, the waiting list in ticket order, promotions from its head.
    var e = await db.Events.SingleAsync(x => x.Id == eventId);
    var signups = await db.EventSignups.Where(s => s.EventId == eventId).ToListAsync();
    var confirmed = signups.Count(s => s.Status == NeighbourHub.Web.Features.Events.SignupStatus.Confirmed);
    var waiting = signups.Where(s => s.Status == NeighbourHub.Web.Features.Events.SignupStatus.Waitlisted).ToList();
    var promoted = signups.Where(s => s.PromotedAt != null).ToList();
    var tickets = signups.Where(s => s.WaitlistTicket != null).Select(s => s.WaitlistTicket!.Value).Order().ToList();
    Check(signups.Count == burst.Count && signups.Select(s => s.ResidentId).Distinct().Count() == burst.Count, $"sign-ups: one row per resident ({signups.Count} for {burst.Count})");
    Check(confirmed == e.Capacity && e.Confirmed == confirmed && e.Waitlisted == waiting.Count, $"sign-ups: never oversold ({confirmed} confirmed of {e.Capacity}; counters {e.Confirmed}/{e.Waitlisted})");
    Check(tickets.SequenceEqual(Enumerable.Range(1, tickets.Count)) && tickets.Count == e.WaitlistSeq, $"sign-ups: waiting-list tickets 1..{e.WaitlistSeq} without gaps or repeats");
    Check(promoted.Count == 6 && (waiting.Count == 0 || promoted.Max(s => s.WaitlistTicket) < waiting.Min(s => s.WaitlistTicket)),
        $"sign-ups: 6 cancellations promoted 6 from the head of the waiting list (promoted {promoted.Count})");

    // Payments: each bill paid exactly once, each payment in the fund once.
    var paidIds = paidPayers.ToHashSet();
    var payments = await db.Payments.Where(p => p.EstateId == org.EstateA1).ToListAsync();
    var paid = payments.Where(p => p.Status == NeighbourHub.Web.Features.Payments.PaymentStatus.Paid).ToList();
    var paymentBills = await db.PaymentBills.ToListAsync();
    var billsPaid = await db.Bills.Where(b => b.EstateId == org.EstateA1 && b.Status == NeighbourHub.Web.Features.Billing.BillStatus.Paid).Select(b => b.Id).ToListAsync();
    var paidPerBill = paid.SelectMany(p => paymentBills.Where(pb => pb.PaymentId == p.Id)).GroupBy(pb => pb.BillId).ToDictionary(g => g.Key, g => g.Count());
    Check(paidIds.Count == payers.Count, $"payments: every resident paid ({paidIds.Count} of {payers.Count})");
    Check(paid.Count == paidIds.Count && paidPerBill.Count == paidIds.Count && paidPerBill.Values.All(c => c == 1) && billsPaid.Count == paidIds.Count,
        $"payments: each bill paid exactly once ({paid.Count} paid payments, {billsPaid.Count} paid bills, {paidPerBill.Count(kv => kv.Value > 1)} bills paid twice)");
    var fund = await db.FundEntries.Where(f => f.EstateId == org.EstateA1 && f.SourceKey.StartsWith("payment:")).ToListAsync();
    var fundPerPayment = fund.GroupBy(f => f.SourceKey).ToDictionary(g => g.Key, g => g.Count());
    Check(paid.All(p => fundPerPayment.GetValueOrDefault($"payment:{p.Id}") == 1) && fund.Count == paid.Count && fund.Sum(f => f.AmountFen) == paid.Sum(p => p.AmountFen),
        $"fund: each payment in the owners' fund once ({fund.Count} entries for {paid.Count} payments, {fund.Sum(f => f.AmountFen)} fen of {paid.Sum(p => p.AmountFen)})");

    // Outbox: every subscribe message the app recorded as sent reached (fake) WeChat exactly once.
    var openIds = await db.Residents.ToDictionaryAsync(r => r.Id, r => r.OpenId);
    var recorded = (await db.OutboxMessages.Where(m => m.Topic == NeighbourHub.Web.Features.Notifications.OutboxTopics.SubscribeMessage).ToListAsync())
        .Select(m => JsonDocument.Parse(m.Payload).RootElement)
        .Select(p => (OpenId: openIds[p.GetProperty("residentId").GetInt64()], Template: templates.GetValueOrDefault(p.GetProperty("templateKey").GetString()!, "?"), Page: Text(p, "page")))
        .Where(x => x.Template != "?")
        .GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
    var sent = wechat.SentMessages.Select(m => (OpenId: Text(m, "touser") ?? "", Template: Text(m, "template_id") ?? "", Page: Text(m, "page")))
        .GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
    var outcomes = await db.OutboxMessages.Where(m => m.Topic == NeighbourHub.Web.Features.Notifications.OutboxTopics.SubscribeMessage)
        .GroupBy(m => m.Outcome).Select(g => new { Outcome = g.Key ?? "(none)", Count = g.Count() }).ToListAsync();
    Console.WriteLine($"   outbox outcomes: {string.Join(", ", outcomes.Select(o => $"{o.Outcome} ×{o.Count}"))}; fake WeChat received {wechat.SentMessages.Count} subscribe messages");
    var overdue = recorded.Keys.Count(k => k.Template == "tpl-overdue");
    var promotions = recorded.Keys.Count(k => k.Template == "tpl-promoted");
    var mismatched = recorded.Keys.Union(sent.Keys).Where(k => recorded.GetValueOrDefault(k) != sent.GetValueOrDefault(k)).ToList();
    Check(overdue > 0 && promotions == 6 && mismatched.Count == 0,
        $"outbox: each subscribe message delivered exactly once ({overdue} overdue reminders, {promotions} promotions; {mismatched.Count} delivered other than once{(mismatched.Count > 0 ? ": " + string.Join(", ", mismatched.Take(3).Select(k => $"{k.Template}→{k.OpenId} ×{sent.GetValueOrDefault(k)}")) : "")})");

    // Job ticks: each (job, slot) is claimed by one instance (its primary key), so what can go wrong is a job that
    // stopped ticking or a tick that ran nowhere. The outbox dispatcher ticks every second: it must have ticked on
    // more than one instance (the load spread, and the survivors took over from the killed one), and the ticks left
    // unfinished (an instance killed mid-tick, a database restarted under it) must be few.
    var ticks = await db.JobTicks.Where(t => t.Job == nameof(NeighbourHub.Web.Features.Notifications.OutboxDispatcher)).ToListAsync();
    var tickInstances = ticks.Select(t => t.Instance).Distinct().Count();
    var unfinished = ticks.Count(t => t.FinishedAt == null);
    Console.WriteLine($"   outbox dispatcher ticks: {ticks.Count} on {tickInstances} instances, {unfinished} unfinished; by instance: "
        + string.Join(", ", ticks.GroupBy(t => t.Instance).OrderBy(g => g.Key).Select(g => $"{g.Key} ×{g.Count()}")));
    Check(ticks.Count > 0 && tickInstances >= 2 && unfinished <= 5,
        $"job ticks: the outbox dispatcher ticked once per slot across instances ({ticks.Count} slots on {tickInstances} instances, {unfinished} unfinished)");
}

foreach (var instance in instances)
{
    await instance.StopAsync();
}

static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

Console.WriteLine(failures.Count == 0 ? "== kill test passed" : $"== kill test FAILED: {failures.Count} check(s)");
return failures.Count == 0 ? 0 : 1;
