using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;
using NeighbourHub.TestSupport;

/// <summary>
/// A resident's <c>GET /api/v1/repairs</c> (their latest 100, through EF, the query filter and JSON) with
/// N repairs in MariaDB spread over R residents, beside a raw MySqlConnector single-row primary-key query
/// served by the same Kestrel in the same run. Reports requests/s and latency percentiles for both.
/// </summary>
internal static class RepairListBench
{
    public static async Task<int> RunAsync(int repairs, int residents, int concurrency, int seconds)
    {
        await using var app = await NeighbourHubAppFactory.OnMariaDbAsync("nh_bench_repairs", wechat: null,
            new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Error" });
        app.Customize = web => web.ConfigureServices(s => s.AddTransient<IStartupFilter>(_ => new RawBaseline(app.ConnectionString)));
        app.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        var org = await TestOrg.SeedAsync(app);
        var people = await app.CreateResidentsAsync("bench", residents);

        var seeding = Stopwatch.StartNew();
        await SeedAsync(app.ConnectionString, org, people.Select(p => p.Id).ToList(), repairs);
        Console.WriteLine($"repairs-list: seeded {repairs:N0} repairs over {residents:N0} residents in {seeding.Elapsed.TotalSeconds:N1} s");

        var ids = await IdsAsync(app.ConnectionString);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = app.ClientOptions.BaseAddress };
        var random = new Random(42);
        HttpRequestMessage List()
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/repairs");
            request.Headers.Authorization = new("Bearer", people[random.Next(people.Count)].Token);
            return request;
        }

        HttpRequestMessage Me()
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
            request.Headers.Authorization = new("Bearer", people[random.Next(people.Count)].Token);
            return request;
        }

        HttpRequestMessage Raw() => new(HttpMethod.Get, $"/bench/raw-repair?id={ids[random.Next(ids.Count)]}");

        // Warm both paths (JIT, pools, buffer pool), then measure each for the same time.
        await Load.RunAsync(http, List, concurrency, TimeSpan.FromSeconds(3));
        await Load.RunAsync(http, Raw, concurrency, TimeSpan.FromSeconds(3));
        var list = await Load.RunAsync(http, List, concurrency, TimeSpan.FromSeconds(seconds));
        var raw = await Load.RunAsync(http, Raw, concurrency, TimeSpan.FromSeconds(seconds));
        var me = await Load.RunAsync(http, Me, concurrency, TimeSpan.FromSeconds(seconds));
        Console.WriteLine($"  {concurrency} in flight, {seconds} s each, HTTP over loopback; app, MariaDB and load generator share the machine");
        Console.WriteLine($"  GET /api/v1/repairs (first page: 20 newest of ~{repairs / residents} each): {list}");
        Console.WriteLine($"  raw single-row PK query + JSON:          {raw}");
        Console.WriteLine($"  for scale, GET /api/v1/me (auth + scope, one small query): {me}");
        return list.Failures == 0 && raw.Failures == 0 && me.Failures == 0 ? 0 : 1;
    }

    /// <summary>Bulk insert through a digits cross join inside MariaDB: a million rows in seconds, no client round trips.</summary>
    private static async Task SeedAsync(string connectionString, TestOrg org, List<long> residentIds, int count)
    {
        await using var c = new MySqlConnection(connectionString);
        await c.OpenAsync();
        var categoryId = await Scalar(c, $"SELECT MIN(Id) FROM RepairCategories WHERE EstateId = {org.EstateA1}");
        await Exec(c, "DROP TEMPORARY TABLE IF EXISTS bench_residents");
        await Exec(c, "CREATE TEMPORARY TABLE bench_residents (n INT PRIMARY KEY, id BIGINT)");
        await Exec(c, "INSERT INTO bench_residents VALUES " + string.Join(",", residentIds.Select((id, n) => $"({n},{id})")));
        await Exec(c, "DROP TEMPORARY TABLE IF EXISTS digits");
        await Exec(c, "CREATE TEMPORARY TABLE digits (d INT)");
        await Exec(c, "INSERT INTO digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)");
        // MariaDB cannot reopen a temporary table in one query, so the cross join uses copies.
        for (var i = 1; i <= 6; i++)
        {
            await Exec(c, $"DROP TEMPORARY TABLE IF EXISTS d{i}");
            await Exec(c, $"CREATE TEMPORARY TABLE d{i} AS SELECT d FROM digits");
        }

        string[] statuses = ["Submitted", "Assigned", "InProgress", "Resolved", "Closed", "Cancelled"];
        var batch = 100_000;
        for (var start = 0; start < count; start += batch)
        {
            var size = Math.Min(batch, count - start);
            await Exec(c, $"""
                INSERT INTO Repairs (EstateId, HouseholdId, CategoryId, ReporterId, Source, Description, Location, Status, CreatedAt, UpdatedAt, DeadlineAt,
                                     ReopenCount, EscalationLevel)
                SELECT {org.EstateA1}, NULL, {categoryId}, r.id, 'MiniProgram', CONCAT('楼道灯不亮 #', n.n), '1栋',
                       ELT(1 + n.n % 6, {string.Join(",", statuses.Select(s => $"'{s}'"))}),
                       NOW(6) - INTERVAL n.n SECOND, NOW(6) - INTERVAL n.n SECOND, NOW(6) - INTERVAL n.n SECOND + INTERVAL 24 HOUR, 0, 0
                FROM (SELECT {start} + d1.d + 10*d2.d + 100*d3.d + 1000*d4.d + 10000*d5.d + 100000*d6.d AS n
                      FROM d1, d2, d3, d4, d5, d6 WHERE d1.d + 10*d2.d + 100*d3.d + 1000*d4.d + 10000*d5.d + 100000*d6.d < {size}) n
                JOIN bench_residents r ON r.n = n.n % {residentIds.Count}
                """);
        }

        await Exec(c, "ANALYZE TABLE Repairs");
    }

    /// <summary>Ids as stored (bulk inserts may leave gaps in AUTO_INCREMENT), so every raw query finds its row.</summary>
    private static async Task<List<long>> IdsAsync(string connectionString)
    {
        await using var c = new MySqlConnection(connectionString);
        await c.OpenAsync();
        await using var cmd = new MySqlCommand("SELECT Id FROM Repairs", c);
        await using var r = await cmd.ExecuteReaderAsync();
        var ids = new List<long>();
        while (await r.ReadAsync())
        {
            ids.Add(r.GetInt64(0));
        }

        return ids;
    }

    private static async Task Exec(MySqlConnection c, string sql)
    {
        await using var cmd = new MySqlCommand(sql, c) { CommandTimeout = 600 };
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<long> Scalar(MySqlConnection c, string sql)
    {
        await using var cmd = new MySqlCommand(sql, c);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The baseline: one pooled connection, one primary-key row, JSON out; no EF, no auth, no filters.</summary>
    private sealed class RawBaseline(string connectionString) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Map("/bench/raw-repair", b => b.Run(async http =>
            {
                var id = long.Parse(http.Request.Query["id"]!, System.Globalization.CultureInfo.InvariantCulture);
                await using var c = new MySqlConnection(connectionString);
                await c.OpenAsync(http.RequestAborted);
                await using var cmd = new MySqlCommand("SELECT Id, Status, Description, DeadlineAt FROM Repairs WHERE Id = @id", c);
                cmd.Parameters.AddWithValue("@id", id);
                await using var r = await cmd.ExecuteReaderAsync(http.RequestAborted);
                if (!await r.ReadAsync(http.RequestAborted))
                {
                    http.Response.StatusCode = 404;
                    return;
                }

                await http.Response.WriteAsJsonAsync(new { id = r.GetInt64(0), status = r.GetString(1), description = r.GetString(2), deadlineAt = r.GetDateTime(3) });
            }));
            next(app);
        };
    }
}

/// <summary>A closed-loop load generator: C workers send requests back to back for a fixed time.</summary>
internal static class Load
{
    public sealed record Result(int Requests, int Failures, double Seconds, double P50, double P90, double P99)
    {
        public override string ToString() => $"{Requests / Seconds:N0} req/s, p50 {P50:N1} ms, p90 {P90:N1} ms, p99 {P99:N1} ms, failures {Failures}";
    }

    public static async Task<Result> RunAsync(HttpClient http, Func<HttpRequestMessage> make, int concurrency, TimeSpan duration)
    {
        var latencies = new List<double>[concurrency];
        var failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async w =>
        {
            var mine = latencies[w] = new List<double>(4096);
            while (clock.Elapsed < duration)
            {
                using var request = make();
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double P(double q) => all[Math.Min(all.Length - 1, (int)Math.Ceiling(q * all.Length) - 1)];
        return new Result(all.Length, failures, clock.Elapsed.TotalSeconds, P(0.5), P(0.9), P(0.99));
    }
}
