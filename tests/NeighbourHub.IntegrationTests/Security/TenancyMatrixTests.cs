using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MySqlConnector;
using NeighbourHub.TestSupport;
using NeighbourHub.Web.Features.Identity;
using Xunit.Abstractions;
using static NeighbourHub.IntegrationTests.Security.SecurityHttp;

namespace NeighbourHub.IntegrationTests.Security;

/// <summary>
/// Generated tenancy matrix. Residents of estates A1, A2 (community A) and B1 (community B) and their staff
/// create one of everything, every free-text field carrying a marker of its estate and kind. Then every
/// operation of the OpenAPI document whose path holds an id is called, by every role, with the ids of the
/// records that role must not see: the answer is 404 exactly like a missing id, or 403 where the role lacks
/// the right for the route altogether, or 401 for the wrong kind of token; no foreign marker is ever in a
/// body, and the database is unchanged afterwards. List endpoints are read by every role too, and must not
/// carry a foreign marker either.
/// </summary>
public sealed class TenancyMatrixTests(AppFixture fixture, ITestOutputHelper output) : AppTest(fixture)
{
    /// <summary>What a path id points at, judged by the path segment before it.</summary>
    private enum Kind
    {
        Residence, Household, Estate, Repair, File, FeeItem, BillingRun, Bill, Payment, Event, Redemption, Volunteer, Resident, ServiceOrder, Open311Key,
        Topic, Vote, Notice,
    }

    /// <summary>
    /// Marker tags: which kind of record a marker sits in. Residents see their own (Own) records, and the
    /// service orders and rewards of their community; staff see their estates' records, and time-bank
    /// records only as community admins.
    /// </summary>
    private static readonly Dictionary<string, (Reach Residents, bool TimeBank)> Tags = new()
    {
        ["DIR"] = (Reach.Everyone, false), // the estate and household directory residents search (no marker: names only)
        ["RES"] = (Reach.Own, false),      // residence real names
        ["REP"] = (Reach.Own, false),      // repair descriptions, locations, staff notes
        ["FEE"] = (Reach.Own, false),      // fee item names (printed on every bill)
        ["PAY"] = (Reach.Own, false),      // offline payment references, refund reasons
        ["EVT"] = (Reach.Own, false),      // verified-only events of one estate
        ["VOT"] = (Reach.Own, false),      // owners' votes of one estate
        ["KEY"] = (Reach.Own, false),      // Open311 key labels
        ["TB"] = (Reach.Own, true),        // grant memos in the ledger
        ["VOL"] = (Reach.Own, true),       // volunteer skills and intros
        ["RWD"] = (Reach.Community, true), // reward names: a community's catalogue
        ["SO"] = (Reach.Community, true),  // service orders: neighbours of the community help
        ["TOP"] = (Reach.Own, false),      // 议事 topics and comments: the estate's residents and staff
        ["NTC"] = (Reach.Own, false),      // notices to one estate: its residents and its staff
    };

    private enum Reach
    {
        Own,
        Community,
        Everyone,
    }

    private static readonly Dictionary<Kind, string> TagOf = new()
    {
        [Kind.Residence] = "RES",
        [Kind.Household] = "DIR",
        [Kind.Estate] = "DIR",
        [Kind.Repair] = "REP",
        [Kind.File] = "REP",
        [Kind.FeeItem] = "FEE",
        [Kind.BillingRun] = "FEE",
        [Kind.Bill] = "FEE",
        [Kind.Payment] = "PAY",
        [Kind.Event] = "EVT",
        [Kind.Vote] = "VOT",
        [Kind.Redemption] = "RWD",
        [Kind.Volunteer] = "VOL",
        [Kind.Resident] = "VOL",
        [Kind.ServiceOrder] = "SO",
        [Kind.Open311Key] = "KEY",
        [Kind.Topic] = "TOP",
        [Kind.Notice] = "NTC",
    };

    private static readonly Dictionary<string, Kind> SegmentKinds = new()
    {
        ["residences"] = Kind.Residence,
        ["households"] = Kind.Household,
        ["estates"] = Kind.Estate,
        ["repairs"] = Kind.Repair,
        ["files"] = Kind.File,
        ["fee-items"] = Kind.FeeItem,
        ["runs"] = Kind.BillingRun,
        ["bills"] = Kind.Bill,
        ["payments"] = Kind.Payment,
        ["events"] = Kind.Event,
        ["redemptions"] = Kind.Redemption,
        ["volunteers"] = Kind.Volunteer,
        ["residents"] = Kind.Resident,
        ["service-orders"] = Kind.ServiceOrder,
        ["keys"] = Kind.Open311Key,
        ["topics"] = Kind.Topic,
        ["votes"] = Kind.Vote,
        ["notices"] = Kind.Notice,
    };

    private sealed record Scope(string Name, long EstateId, long CommunityId, IReadOnlyList<long> Households, string Admin)
    {
        public string Marker(string tag) => $"机密-{Name}-{tag}-{Nonce}";

        public static readonly string Nonce = Guid.NewGuid().ToString("N")[..4];
    }

    private sealed record Record(Kind Kind, Scope Scope, string Id);

    /// <summary>A signed-in caller: a resident living in <see cref="Home"/>, or staff with a role seeing <see cref="Estates"/>.</summary>
    private sealed record Role(string Name, HttpClient Client, Scope? Home, AdminRole? AdminRole, IReadOnlySet<long> Estates)
    {
        public bool IsResident => AdminRole is null;
    }

    /// <summary>What one scope's seeding produced: the records by kind and the ids request bodies point at.</summary>
    private sealed class Seeded(Scope scope)
    {
        public Scope Scope { get; } = scope;
        public List<Record> Records { get; } = [];
        public long ResidentId { get; set; }
        public long PaidBillId { get; set; }

        public void Add(Kind kind, object id) => Records.Add(new Record(kind, Scope, Convert.ToString(id, System.Globalization.CultureInfo.InvariantCulture)!));
    }

    [Fact]
    public async Task No_role_reaches_or_reads_a_record_outside_its_scope()
    {
        var watch = Stopwatch.StartNew();
        var a1 = new Scope("A1", Org.EstateA1, Org.CommunityA, Org.HouseholdsA1, "adminA");
        var a2 = new Scope("A2", Org.EstateA2, Org.CommunityA, Org.HouseholdsA2, "adminA");
        var b1 = new Scope("B1", Org.EstateB1, Org.CommunityB, Org.HouseholdsB1, "adminB");
        var seeded = new List<Seeded>();
        foreach (var scope in new[] { a1, a2, b1 })
        {
            seeded.Add(await SeedAsync(scope));
        }

        var seedTime = watch.Elapsed;
        var roles = new List<Role>();
        foreach (var s in seeded)
        {
            roles.Add(new Role($"resident{s.Scope.Name}", Client(App, TokenOf(await App.ResidentClientAsync($"wx-tm-{s.Scope.Name}"))), s.Scope, null, new HashSet<long> { s.Scope.EstateId }));
        }

        foreach (var (name, role, estates) in new (string, AdminRole, long[])[]
                 {
                     ("adminA", AdminRole.CommunityAdmin, [Org.EstateA1, Org.EstateA2]), ("adminB", AdminRole.CommunityAdmin, [Org.EstateB1]),
                     // gridA2's grid covers A2's one building, so every flat record seeded in A2 is in its grid; that a grid
                     // worker sees no flat of another building of the estate is RepairDeskTests' grid test.
                     ("firmF", AdminRole.FirmStaff, [Org.EstateA1]), ("gridA2", AdminRole.GridWorker, [Org.EstateA2]),
                     ("committeeA1", AdminRole.CommitteeMember, [Org.EstateA1]),
                 })
        {
            roles.Add(new Role(name, Client(App, TokenOf(await App.AdminClientAsync(name))), null, role, estates.ToHashSet()));
        }

        var api = await ApiDescription.LoadAsync(Client(App));
        var all = seeded.SelectMany(s => s.Records).ToList();
        var failures = new List<string>();
        var calls = 0;
        var before = await FingerprintAsync();
        long lastAudit;
        await using (var db = App.SystemDb())
        {
            lastAudit = await db.AuditLogs.MaxAsync(a => (long?)a.Id) ?? 0;
        }

        // 1. Every operation with an id in its path, by every role, with every id that role must not reach.
        //    Open311 (outside /api) is a public feed by design, so it has no scope to escape.
        foreach (var op in api.Operations.Where(o => o.IsApi && o.In("path").Any()))
        {
            foreach (var role in roles)
            {
                var expected = Expected(role, op);
                var param = op.In("path").First();
                var kind = KindOf(op.Path, param.Name);
                // Ids of the kind the route takes; a route of an unknown kind gets every record's id.
                var targets = all.Where(r => kind is null || r.Kind == kind).Where(r => expected != 404 || !Sees(role, TagOf[r.Kind], r.Scope)).ToList();
                if (targets.Count == 0)
                {
                    continue;
                }

                var missing = await CallAsync(op, role, param, "987654321987", seeded[0]);
                calls++;
                if (missing.Status != expected)
                {
                    failures.Add($"{role.Name} {op.Name} with a missing id → {missing.Status}, expected {expected}: {Excerpt(missing.Body)}");
                }

                foreach (var target in targets)
                {
                    var answer = await CallAsync(op, role, param, target.Id, seeded.Single(s => s.Scope == target.Scope));
                    calls++;
                    var problems = new List<string>();
                    if (answer.Status != expected)
                    {
                        problems.Add($"expected {expected}");
                    }

                    if (answer.Status != missing.Status)
                    {
                        problems.Add($"a missing id answers {missing.Status}");
                    }

                    problems.AddRange(ForeignMarkers(role, answer.Body).Select(m => $"body shows {m}"));
                    if (problems.Count > 0)
                    {
                        failures.Add($"{role.Name} {op.Name} with {target.Scope.Name}'s {target.Kind} {target.Id} → {answer.Status} ({string.Join("; ", problems)}): {Excerpt(answer.Body)}");
                    }
                }
            }
        }

        var after = await FingerprintAsync();
        foreach (var table in before.Keys.Union(after.Keys).Order())
        {
            if (before.GetValueOrDefault(table) != after.GetValueOrDefault(table))
            {
                failures.Add($"database: {table} changed (rows, checksum) {before.GetValueOrDefault(table)} → {after.GetValueOrDefault(table)}");
            }
        }

        // What the audit log says was done, so a changed database reads as a list of actions.
        await using (var db = App.SystemDb())
        {
            failures.AddRange(await db.AuditLogs.Where(a => a.Id > lastAudit).OrderBy(a => a.Id)
                .Select(a => "database: audited " + a.ActorName + " " + a.Action + " " + a.EntityType + " " + a.EntityId).ToListAsync());
        }

        // 2. Every list (no id in the path) by every role: plainly, and filtered on each foreign scope's ids.
        foreach (var op in api.Operations.Where(o => o.IsApi && o.Method == HttpMethod.Get && !o.In("path").Any()))
        {
            foreach (var role in roles.Where(r => r.IsResident != op.IsAdmin))
            {
                var filters = new List<(string Label, string Query)> { ("no filter", "") };
                foreach (var s in seeded.Where(s => !role.Estates.Contains(s.Scope.EstateId)))
                {
                    var query = ForeignFilter(op, s);
                    if (query.Length > 0)
                    {
                        filters.Add(($"filtered on {s.Scope.Name}", query));
                    }
                }

                foreach (var (label, query) in filters)
                {
                    using var response = await role.Client.GetAsync(op.Url(_ => "", query));
                    calls++;
                    var body = await BodyTextAsync(response);
                    var status = (int)response.StatusCode;
                    var problems = ForeignMarkers(role, body).Select(m => $"body shows {m}").ToList();
                    if (!role.IsResident && !Allowed(role.AdminRole!.Value, op.Method, op.Path) && status != 403)
                    {
                        problems.Add("expected 403: the role has no right to this route");
                    }

                    if (status >= 500)
                    {
                        problems.Add("server error");
                    }

                    if (problems.Count > 0)
                    {
                        failures.Add($"{role.Name} {op.Name} ({label}) → {status} ({string.Join("; ", problems)}): {Excerpt(body)}");
                    }
                }
            }
        }

        output.WriteLine($"seeding {seedTime.TotalSeconds:0}s, {calls} calls, total {watch.Elapsed.TotalSeconds:0}s");
        Assert.True(failures.Count == 0, $"{failures.Count} tenancy failures ({calls} calls, {watch.Elapsed.TotalSeconds:0}s):\n" + string.Join("\n", failures));

        bool Sees(Role role, string tag, Scope scope)
        {
            var (reach, timeBank) = Tags[tag];
            if (role.IsResident)
            {
                return reach == Reach.Everyone || scope == role.Home || (reach == Reach.Community && scope.CommunityId == role.Home!.CommunityId);
            }

            return (!timeBank || role.AdminRole == AdminRole.CommunityAdmin) && role.Estates.Contains(scope.EstateId);
        }

        IEnumerable<string> ForeignMarkers(Role role, string body) =>
            from s in seeded
            from tag in Tags.Keys
            where !Sees(role, tag, s.Scope) && body.Contains(s.Scope.Marker(tag), StringComparison.Ordinal)
            select s.Scope.Marker(tag);

        async Task<(int Status, string Body)> CallAsync(ApiOperation op, Role role, ApiParameter param, string id, Seeded owner)
        {
            using var request = new HttpRequestMessage(op.Method, op.Url(p => p == param ? id : "987654321987"));
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
            if (op.JsonBody is { } schema)
            {
                request.Content = Raw(api.Sample(schema, null, BodyValues(owner)), "application/json");
            }
            else if (op.FormBody)
            {
                request.Content = ForeignScopeTests.XlsxForm(Xlsx.Households(("9栋", "1单元", "101", "90")));
            }

            using var response = await role.Client.SendAsync(request);
            return ((int)response.StatusCode, await BodyTextAsync(response));
        }
    }

    /// <summary>
    /// Request bodies that pass validation, with every id in them pointing into the same foreign scope as the
    /// path id: the call is what a nosy caller would really send.
    /// </summary>
    private static Dictionary<string, string> BodyValues(Seeded owner)
    {
        var now = DateTimeOffset.UtcNow;
        return new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["estateId"] = Id(owner.Scope.EstateId),
            ["communityId"] = Id(owner.Scope.CommunityId),
            ["householdId"] = Id(owner.Scope.Households[0]),
            ["residentId"] = Id(owner.ResidentId),
            ["volunteerId"] = Id(owner.ResidentId),
            ["billId"] = Id(owner.PaidBillId),
            ["buildingId"] = "null",
            ["startsAt"] = JsonSerializer.Serialize(now.AddDays(3)),
            ["endsAt"] = JsonSerializer.Serialize(now.AddDays(3).AddHours(2)),
            ["signupOpensAt"] = JsonSerializer.Serialize(now.AddHours(-1)),
            ["signupClosesAt"] = JsonSerializer.Serialize(now.AddDays(2)),
            ["cancelDeadline"] = "null",
            ["coverImageUrl"] = "null",
            ["capacity"] = "50",
            ["pointsAwarded"] = "0",
            ["isVolunteer"] = "false",
            ["qrPayload"] = "null",
            ["stars"] = "5",
            ["amountFen"] = "1",
            ["channel"] = "\"cash\"",
            ["relation"] = "\"owner\"",
            ["validDays"] = "3",
            ["effectiveTo"] = "\"2030-12-31\"",
            ["photoIds"] = "[]",
            ["payVolunteer"] = "true",
            ["paidByPool"] = "true",
        };
    }

    /// <summary>The query that filters a list on <paramref name="s"/>'s ids, for the parameters the list declares.</summary>
    private static string ForeignFilter(ApiOperation op, Seeded s)
    {
        var values = new Dictionary<string, long>
        {
            ["estateId"] = s.Scope.EstateId,
            ["communityId"] = s.Scope.CommunityId,
            ["householdId"] = s.Scope.Households[0],
            ["residentId"] = s.ResidentId,
        };
        return string.Join("&", op.In("query").Where(p => values.ContainsKey(p.Name)).Select(p => $"{p.Name}={values[p.Name]}"));
    }

    private static Kind? KindOf(string path, string param)
    {
        var segments = path.Split('/');
        var at = Array.FindIndex(segments, s => s.Contains("{" + param + "}", StringComparison.Ordinal));
        return at > 0 && SegmentKinds.TryGetValue(segments[at - 1], out var kind) ? kind : null;
    }

    /// <summary>
    /// The time bank is the community office's: its staff routes are for community and platform admins only.
    /// Service-order funding (orders paid from the community pool) is time-bank administration too.
    /// </summary>
    private static bool IsTimeBank(string path) =>
        path.StartsWith("/api/v1/admin/timebank", StringComparison.Ordinal) || path.StartsWith("/api/v1/admin/volunteers", StringComparison.Ordinal)
        || path.StartsWith("/api/v1/admin/service-orders", StringComparison.Ordinal) || path.Contains("/service-order-funding", StringComparison.Ordinal);

    /// <summary>三事分流 and the review of held text: the estate's committee, the community office and platform admins; firm and grid staff read.</summary>
    private static bool IsTopicSorting(string path) =>
        path.StartsWith("/api/v1/admin/topics/", StringComparison.Ordinal)
        && new[] { "/classify", "/decide", "/reject", "/close", "/release" }.Any(s => path.EndsWith(s, StringComparison.Ordinal));

    /// <summary>Dispatching, taking, starting and resolving a repair, and taking one down for a resident (not the committee's).</summary>
    private static bool IsRepairStep(string path) =>
        path.StartsWith("/api/v1/admin/repairs/", StringComparison.Ordinal)
        && new[] { "/assign", "/grab", "/start", "/resolve" }.Any(s => path.EndsWith(s, StringComparison.Ordinal));

    /// <summary>Which admin roles hold the right for a staff route at all (PRODUCT.md's roles and the time-bank rule).</summary>
    private static bool Allowed(AdminRole role, HttpMethod method, string path)
    {
        bool Under(params string[] prefixes) => prefixes.Any(p => path.StartsWith("/api/v1/admin/" + p, StringComparison.Ordinal));
        AdminRole[] roles =
            Under("audit-log") || path == "/api/v1/admin/timebank/verify" ? [AdminRole.PlatformAdmin]
            : IsTimeBank(path) ? [AdminRole.PlatformAdmin, AdminRole.CommunityAdmin]
            : Under("residences") || (Under("households/") && path.EndsWith("/invite-codes", StringComparison.Ordinal))
                ? [AdminRole.PlatformAdmin, AdminRole.CommunityAdmin, AdminRole.GridWorker, AdminRole.FirmStaff]
            : Under("fee-items", "billing/", "bills", "payments") ? [AdminRole.PlatformAdmin, AdminRole.CommunityAdmin, AdminRole.FirmStaff]
            : Under("open311/keys") || path.EndsWith("/households/import", StringComparison.Ordinal) ? [AdminRole.PlatformAdmin, AdminRole.CommunityAdmin]
            : IsTopicSorting(path) ? [AdminRole.PlatformAdmin, AdminRole.CommunityAdmin, AdminRole.CommitteeMember]
            // Events are run by the office, the firm and grid workers; the committee reads them only.
            : Under("events") && method != HttpMethod.Get ? [AdminRole.PlatformAdmin, AdminRole.CommunityAdmin, AdminRole.FirmStaff, AdminRole.GridWorker]
            // The repair loop's staff steps: everyone but the committee, which reads repairs and takes no step on them.
            : IsRepairStep(path) ? [AdminRole.PlatformAdmin, AdminRole.CommunityAdmin, AdminRole.FirmStaff, AdminRole.GridWorker]
            : Enum.GetValues<AdminRole>();
        return roles.Contains(role);
    }

    /// <summary>
    /// 401 for the wrong kind of token, 403 for a role without the right, otherwise 404 (never "it exists, but…").
    /// Taking a service order is the right of approved volunteers: the seeded residents have only applied, so
    /// they hear 403 whatever the id — an answer that says nothing about the id.
    /// </summary>
    private static int Expected(Role role, ApiOperation op) =>
        role.IsResident == op.IsAdmin ? 401
        : !role.IsResident && !Allowed(role.AdminRole!.Value, op.Method, op.Path) ? 403
        : role.IsResident && op.Path.EndsWith("/service-orders/{id}/claim", StringComparison.Ordinal) ? 403
        : 404;

    /// <summary>The body as text; spreadsheets are unzipped so their cells are searched too.</summary>
    private static async Task<string> BodyTextAsync(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (bytes.Length < 4 || bytes[0] != 'P' || bytes[1] != 'K')
        {
            return Encoding.UTF8.GetString(bytes);
        }

        using var zip = new ZipArchive(new MemoryStream(bytes));
        var text = new StringBuilder();
        foreach (var entry in zip.Entries)
        {
            using var reader = new StreamReader(entry.Open());
            text.Append(await reader.ReadToEndAsync());
        }

        return text.ToString();
    }

    /// <summary>Row count and CHECKSUM TABLE of every table: any write anywhere shows.</summary>
    private async Task<Dictionary<string, (long Rows, string Checksum)>> FingerprintAsync()
    {
        await using var connection = new MySqlConnection(App.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new MySqlCommand("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> '__EFMigrationsHistory' ORDER BY TABLE_NAME", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var result = new Dictionary<string, (long, string)>();
        foreach (var table in tables)
        {
            await using var count = new MySqlCommand($"SELECT COUNT(*) FROM `{table}`", connection);
            var rows = Convert.ToInt64(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
            await using var checksum = new MySqlCommand($"CHECKSUM TABLE `{table}`", connection);
            await using var reader = await checksum.ExecuteReaderAsync();
            await reader.ReadAsync();
            result[table] = (rows, Convert.ToString(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture) ?? "");
        }

        return result;
    }

    /// <summary>One of everything in <paramref name="scope"/>, made through the API by its resident and its community admin.</summary>
    private async Task<Seeded> SeedAsync(Scope scope)
    {
        var seeded = new Seeded(scope);
        var admin = await App.AdminClientAsync(scope.Admin);
        var resident = await App.ResidentClientAsync($"wx-tm-{scope.Name}");

        // The resident (approved) and a second applicant left pending, both under marked real names.
        var residence = await ApplyAsync(resident, scope.Households[0], realName: scope.Marker("RES"));
        await Ok(admin.PostAsync($"/api/v1/admin/residences/{residence}/approve", null), "approve");
        seeded.ResidentId = (await Json(await resident.GetAsync("/api/v1/me"))).GetProperty("id").GetInt64();
        var applicant = await App.ResidentClientAsync($"wx-tm-{scope.Name}-applicant");
        seeded.Add(Kind.Residence, await ApplyAsync(applicant, scope.Households[1], "tenant", scope.Marker("RES")));
        seeded.Add(Kind.Household, scope.Households[3]);
        seeded.Add(Kind.Estate, scope.EstateId);
        seeded.Add(Kind.Resident, seeded.ResidentId);
        seeded.Add(Kind.Volunteer, seeded.ResidentId);

        // Repairs: one just reported with a photo, one taken and resolved by staff with a note.
        var photo = await RepairPhotoTests.UploadAsync(resident, RepairPhotoTests.Png);
        seeded.Add(Kind.File, photo);
        var categories = await Json(await resident.GetAsync($"/api/v1/repair-categories?estateId={scope.EstateId}"));
        var category = categories.EnumerateArray().First(c => !c.GetProperty("isPublicArea").GetBoolean()).GetProperty("id").GetInt64();
        var marker = scope.Marker("REP");
        seeded.Add(Kind.Repair, await Created(resident.PostAsJsonAsync("/api/v1/repairs",
            new { estateId = scope.EstateId, householdId = scope.Households[0], categoryId = category, description = marker, location = marker, photoIds = new[] { photo } }), "repair"));
        var resolved = await Created(resident.PostAsJsonAsync("/api/v1/repairs",
            new { estateId = scope.EstateId, householdId = scope.Households[0], categoryId = category, description = marker, location = marker }), "repair");
        seeded.Add(Kind.Repair, resolved);
        await Ok(admin.PostAsync($"/api/v1/admin/repairs/{resolved}/grab", null), "grab");
        await Ok(admin.PostAsync($"/api/v1/admin/repairs/{resolved}/start", null), "start");
        await Ok(admin.PostAsJsonAsync($"/api/v1/admin/repairs/{resolved}/resolve", new { note = marker }), "resolve");

        // Bills: a marked fee item, a run, one bill paid online (and partly refunded), one paid offline, one left unpaid.
        seeded.Add(Kind.FeeItem, await Created(admin.PostAsJsonAsync("/api/v1/admin/fee-items",
            new { estateId = scope.EstateId, name = scope.Marker("FEE"), kind = "fixedMonthly", unitPriceFen = 1000, effectiveFrom = "2026-01-01" }), "fee item"));
        var run = await Ok(admin.PostAsJsonAsync("/api/v1/admin/billing/runs", new { estateId = scope.EstateId, period = "2026-11" }), "billing run");
        seeded.Add(Kind.BillingRun, run.GetProperty("runId").GetInt64());
        var mine = (await Json(await resident.GetAsync("/api/v1/bills"))).EnumerateArray().Single().GetProperty("id").GetInt64();
        seeded.PaidBillId = mine;
        var payment = await Created(Keyed(resident, HttpMethod.Post, "/api/v1/payments", new { billIds = new[] { mine } }), "payment", "paymentId");
        var outTradeNo = (await Json(await resident.GetAsync($"/api/v1/payments/{payment}"))).GetProperty("outTradeNo").GetString()!;
        Pay.Pay(outTradeNo);
        Assert.Equal(HttpStatusCode.NoContent, (await FakeWeChatPayServer.DeliverAsync(App.CreateClient(), Pay.PaymentCallback(outTradeNo))).StatusCode);
        seeded.Add(Kind.Payment, payment);
        await Ok(Keyed(admin, HttpMethod.Post, $"/api/v1/admin/payments/{payment}/refund", new { billId = mine, amountFen = 1, reason = scope.Marker("PAY") }), "refund");
        var bills = (await Json(await admin.GetAsync($"/api/v1/admin/bills?estateId={scope.EstateId}"))).GetProperty("items").EnumerateArray()
            .ToDictionary(b => b.GetProperty("householdId").GetInt64(), b => b.GetProperty("id").GetInt64());
        var offline = await Ok(Keyed(admin, HttpMethod.Post, $"/api/v1/admin/bills/{bills[scope.Households[2]]}/offline-payment",
            new { channel = "cash", reference = scope.Marker("PAY") }), "offline payment");
        seeded.Add(Kind.Payment, offline.GetProperty("paymentId").GetInt64());
        seeded.Add(Kind.Bill, bills[scope.Households[1]]);

        // A verified-only event of the estate, with the resident signed up.
        var now = DateTimeOffset.UtcNow;
        var eventId = await Created(admin.PostAsJsonAsync("/api/v1/admin/events", new
        {
            estateId = scope.EstateId,
            title = scope.Marker("EVT"),
            description = scope.Marker("EVT"),
            location = scope.Marker("EVT"),
            startsAt = now.AddDays(2),
            endsAt = now.AddDays(2).AddHours(2),
            signupOpensAt = now.AddHours(-1),
            signupClosesAt = now.AddDays(1),
            capacity = 5,
            verifiedOnly = true,
            isVolunteer = false,
            pointsAwarded = 0,
        }), "event");
        seeded.Add(Kind.Event, eventId);
        await Created(resident.PostAsync($"/api/v1/events/{eventId}/signups", null), "signup", null);

        // An owners' vote of the estate, announced now and opening tomorrow.
        seeded.Add(Kind.Vote, await Created(Keyed(admin, HttpMethod.Post, "/api/v1/admin/votes", new
        {
            estateId = scope.EstateId,
            title = scope.Marker("VOT"),
            description = scope.Marker("VOT"),
            options = new[] { "同意", scope.Marker("VOT") },
            rule = "simple",
            noticeAt = now,
            opensAt = now.AddDays(1),
            closesAt = now.AddDays(8),
        }), "vote"));

        // Time bank: granted points, a reward redeemed, a pending volunteer application, a service order.
        await Created(Keyed(admin, HttpMethod.Post, "/api/v1/admin/timebank/grants", new { residentId = seeded.ResidentId, points = 100, memo = scope.Marker("TB") }), "grant");
        var reward = await Created(admin.PostAsJsonAsync("/api/v1/admin/timebank/rewards",
            new { communityId = scope.CommunityId, name = scope.Marker("RWD"), pointsCost = 10, stock = 5, perPersonLimit = 0 }), "reward");
        seeded.Add(Kind.Redemption, await Created(Keyed(resident, HttpMethod.Post, "/api/v1/timebank/redemptions", new { rewardId = reward, quantity = 1 }), "redemption"));
        await Created(resident.PostAsJsonAsync("/api/v1/me/volunteer", new { skills = new[] { scope.Marker("VOL") }, intro = scope.Marker("VOL") }), "volunteer", null);
        seeded.Add(Kind.ServiceOrder, await Created(Keyed(resident, HttpMethod.Post, "/api/v1/service-orders",
            new { title = scope.Marker("SO"), description = scope.Marker("SO"), points = 5 }), "service order"));

        // 议事: a topic the resident raised, with a comment.
        var topic = await Created(resident.PostAsJsonAsync("/api/v1/topics", new { estateId = scope.EstateId, title = scope.Marker("TOP"), body = scope.Marker("TOP") }), "topic");
        seeded.Add(Kind.Topic, topic);
        await Created(resident.PostAsJsonAsync($"/api/v1/topics/{topic}/comments", new { text = scope.Marker("TOP") }), "topic comment");

        // Staff-only records: an Open311 key and an invite code.
        var key = await Ok(admin.PostAsJsonAsync("/api/v1/admin/open311/keys", new { estateId = scope.EstateId, label = scope.Marker("KEY") }), "Open311 key");
        seeded.Add(Kind.Open311Key, key.GetProperty("id").GetInt64());
        await Created(admin.PostAsJsonAsync($"/api/v1/admin/households/{scope.Households[3]}/invite-codes", new { relation = "owner", validDays = 3 }), "invite code");

        // A notice to the estate, marked, with its attachment.
        var noticeFile = await RepairPhotoTests.UploadAsync(admin, RepairPhotoTests.Png, "/api/v1/admin/files");
        seeded.Add(Kind.Notice, await Created(admin.PostAsJsonAsync("/api/v1/admin/notices", new
        {
            scopeLevel = "estate",
            scopeId = scope.EstateId,
            title = scope.Marker("NTC"),
            body = scope.Marker("NTC"),
            pinned = true,
            attachmentIds = new[] { noticeFile },
            notify = false,
        }), "notice"));
        return seeded;
    }

    private static Task<HttpResponseMessage> Keyed(HttpClient client, HttpMethod method, string url, object body)
    {
        var request = new HttpRequestMessage(method, url) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        return client.SendAsync(request);
    }

    private static async Task<JsonElement> Ok(Task<HttpResponseMessage> call, string what)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"seeding {what}: {(int)response.StatusCode} {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<long> Created(Task<HttpResponseMessage> call, string what, string? idProperty = "id")
    {
        var body = await Ok(call, what);
        return idProperty is null ? 0 : body.GetProperty(idProperty).GetInt64();
    }
}
