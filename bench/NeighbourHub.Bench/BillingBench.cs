using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MySqlConnector;
using NeighbourHub.TestSupport;
using NeighbourHub.WeChat.Pay;

/// <summary>
/// billing-run: a bill run over H households (two fee items, so 2H bills) on MariaDB through the admin API,
/// then the same run again (which must create nothing). payment-callbacks: N pending payments, then N
/// signed, encrypted TRANSACTION.SUCCESS callbacks over HTTP with C in flight — each verified, decrypted
/// and applied — reported as callbacks/s and latency, and checked: every payment paid exactly once.
/// </summary>
internal static class BillingBench
{
    public static async Task<int> RunBillingAsync(int households)
    {
        await using var app = await NeighbourHubAppFactory.OnMariaDbAsync("nh_bench_billing", wechat: null,
            new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Error" });
        app.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        var org = await TestOrg.SeedAsync(app);
        await AddHouseholdsAsync(app.ConnectionString, org.EstateA1, households);
        using var admin = await app.AdminClientAsync("adminA");
        (await admin.PostAsJsonAsync("/api/v1/admin/fee-items", new { estateId = org.EstateA1, name = "物业服务费", kind = "perAreaMonthly", unitPriceFen = 180, effectiveFrom = "2026-01-01" }))
            .EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/v1/admin/fee-items", new { estateId = org.EstateA1, name = "垃圾清运费", kind = "fixedMonthly", unitPriceFen = 1000, effectiveFrom = "2026-01-01" }))
            .EnsureSuccessStatusCode();

        var first = Stopwatch.StartNew();
        var run = await (await admin.PostAsJsonAsync("/api/v1/admin/billing/runs", new { estateId = org.EstateA1, period = "2026-11" })).Content.ReadFromJsonAsync<JsonElement>();
        first.Stop();
        var again = Stopwatch.StartNew();
        var rerun = await (await admin.PostAsJsonAsync("/api/v1/admin/billing/runs", new { estateId = org.EstateA1, period = "2026-11" })).Content.ReadFromJsonAsync<JsonElement>();
        again.Stop();
        var total = households + 4; // TestOrg's own four households in estate A1
        var created = run.GetProperty("billsCreated").GetInt32();
        Console.WriteLine($"billing-run: {total:N0} households × 2 fee items on MariaDB, through POST /api/v1/admin/billing/runs");
        Console.WriteLine($"  first run:  {created:N0} bills, {run.GetProperty("totalFen").GetInt64() / 100m:N2} 元 in {first.Elapsed.TotalSeconds:N2} s ({created / first.Elapsed.TotalSeconds:N0} bills/s)");
        Console.WriteLine($"  second run: {rerun.GetProperty("billsCreated").GetInt32()} bills in {again.Elapsed.TotalSeconds:N2} s — \"{rerun.GetProperty("message").GetString()}\"");
        return created == 2 * total && rerun.GetProperty("billsCreated").GetInt32() == 0 ? 0 : 1;
    }

    public static async Task<int> RunCallbacksAsync(int payments, int concurrency)
    {
        await using var pay = await FakeWeChatPayServer.StartAsync();
        var settings = new Dictionary<string, string?>(pay.AppSettings) { ["Logging:LogLevel:Default"] = "Error" };
        await using var app = await NeighbourHubAppFactory.OnMariaDbAsync("nh_bench_callbacks", wechat: null, settings);
        app.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        var org = await TestOrg.SeedAsync(app);
        var outTradeNos = await AddPendingPaymentsAsync(app.ConnectionString, org, payments);
        // Callbacks prepared up front (the platform side's work is not what we measure).
        var callbacks = outTradeNos.Select(no => WeChatPayNotifications.Build(pay.PlatformKey, FakeWeChatPayServer.PlatformKeyId, pay.ApiV3Key, "TRANSACTION.SUCCESS",
            "transaction", JsonSerializer.Serialize(new WeChatTransaction(FakeWeChatPayServer.MchId, FakeWeChatPayServer.AppId, no, "4200" + no[2..], "JSAPI", "SUCCESS", null,
                "2026-11-23T10:00:00+08:00", new Payer("o-bench"), new PayAmount(18000, "CNY", 18000, "CNY"), null), WeChatPayJson.Options), DateTimeOffset.UtcNow)).ToList();

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = app.ClientOptions.BaseAddress };
        var latencies = new double[callbacks.Count];
        var failures = 0;
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < callbacks.Count)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await FakeWeChatPayServer.DeliverAsync(http, callbacks[i]);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.NoContent)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));
        var elapsed = clock.Elapsed;
        Array.Sort(latencies);
        double P(double q) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(q * latencies.Length) - 1)];
        await using var c = new MySqlConnection(app.ConnectionString);
        await c.OpenAsync();
        var paid = Convert.ToInt32(await new MySqlCommand("SELECT COUNT(*) FROM Payments WHERE Status = 'Paid'", c).ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        var events = Convert.ToInt32(await new MySqlCommand("SELECT COUNT(*) FROM OutboxMessages WHERE Topic = 'payments.collected'", c).ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        var bills = Convert.ToInt32(await new MySqlCommand("SELECT COUNT(*) FROM Bills WHERE Status = 'Paid'", c).ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        Console.WriteLine($"payment-callbacks: {payments:N0} callbacks, {concurrency} in flight, MariaDB, HTTP over loopback (verify RSA + decrypt AES-GCM + apply)");
        Console.WriteLine($"  {payments / elapsed.TotalSeconds:N0} callbacks/s over {elapsed.TotalSeconds:N2} s; latency ms p50 {P(0.5):N1}  p90 {P(0.9):N1}  p99 {P(0.99):N1}");
        Console.WriteLine($"  paid {paid:N0}, bills paid {bills:N0}, collection events {events:N0}, failed callbacks {failures}");
        return paid == payments && bills == payments && events == payments && failures == 0 ? 0 : 1;
    }

    private static async Task AddHouseholdsAsync(string connectionString, long estateId, int count)
    {
        await using var c = new MySqlConnection(connectionString);
        await c.OpenAsync();
        async Task Exec(string sql) => await new MySqlCommand(sql, c) { CommandTimeout = 600 }.ExecuteNonQueryAsync();
        await Exec($"INSERT INTO Buildings (EstateId, Name) VALUES ({estateId}, '基准楼')");
        var building = Convert.ToInt64(await new MySqlCommand("SELECT LAST_INSERT_ID()", c).ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        await Exec($"INSERT INTO Units (EstateId, BuildingId, Name) VALUES ({estateId}, {building}, '1单元')");
        var unit = Convert.ToInt64(await new MySqlCommand("SELECT LAST_INSERT_ID()", c).ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        for (var i = 1; i <= 6; i++)
        {
            await Exec($"CREATE TEMPORARY TABLE d{i} (d INT)");
            await Exec($"INSERT INTO d{i} VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)");
        }

        await Exec($"""
            INSERT INTO Households (EstateId, BuildingId, UnitId, Room, AreaM2)
            SELECT {estateId}, {building}, {unit}, CONCAT('R', n), 60 + (n % 9000) / 100
            FROM (SELECT d1.d + 10*d2.d + 100*d3.d + 1000*d4.d + 10000*d5.d + 100000*d6.d AS n FROM d1, d2, d3, d4, d5, d6) x
            WHERE n < {count}
            """);
    }

    /// <summary>One bill and one pending WeChat payment locking it, per payment, inserted in bulk.</summary>
    private static async Task<List<string>> AddPendingPaymentsAsync(string connectionString, TestOrg org, int count)
    {
        await AddHouseholdsAsync(connectionString, org.EstateA1, count);
        await using var c = new MySqlConnection(connectionString);
        await c.OpenAsync();
        async Task Exec(string sql) => await new MySqlCommand(sql, c) { CommandTimeout = 600 }.ExecuteNonQueryAsync();
        await Exec($"INSERT INTO FeeItems (EstateId, Name, Kind, UnitPriceFen, EffectiveFrom, DueDay) VALUES ({org.EstateA1}, '物业服务费', 'FixedMonthly', 18000, '2026-01-01', 15)");
        await Exec($"""
            INSERT INTO Bills (EstateId, HouseholdId, FeeItemId, Period, FeeItemName, AmountFen, DueDate, Status, RefundedFen, CreatedAt)
            SELECT {org.EstateA1}, h.Id, f.Id, '2026-11', f.Name, 18000, '2026-11-15', 'Unpaid', 0, NOW(6)
            FROM Households h JOIN FeeItems f ON f.EstateId = h.EstateId WHERE h.Room LIKE 'R%'
            """);
        await Exec("""
            INSERT INTO Payments (EstateId, Channel, OutTradeNo, AmountFen, RefundedFen, Status, BillIdsKey, CreatedAt, ExpiresAt, NeedsReview)
            SELECT b.EstateId, 'WeChat', CONCAT('NHB', LPAD(b.Id, 12, '0')), 18000, 0, 'Pending', b.Id, NOW(6), NOW(6) + INTERVAL 2 HOUR, 0 FROM Bills b
            """);
        await Exec("INSERT INTO PaymentBills (PaymentId, BillId, AmountFen) SELECT p.Id, CAST(p.BillIdsKey AS UNSIGNED), 18000 FROM Payments p");
        await Exec("UPDATE Bills b JOIN PaymentBills pb ON pb.BillId = b.Id SET b.LockedByPaymentId = pb.PaymentId");
        var list = new List<string>();
        await using var r = await new MySqlCommand("SELECT OutTradeNo FROM Payments ORDER BY Id", c).ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            list.Add(r.GetString(0));
        }

        return list;
    }
}
