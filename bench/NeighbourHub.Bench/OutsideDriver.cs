using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using NeighbourHub.TestSupport;

/// <summary>
/// The outside benchmark's helper process (bench/outside.sh): it is everything that is not the app under
/// measurement. It runs the fake WeChat and WeChat Pay platforms the published app is configured against,
/// seeds through the app's public API (sign-ins, residences, approvals, bill runs, events, payments) and
/// signs and encrypts the payment callbacks before wrk starts, so none of that is in the measured process.
/// It talks to the script through files in its work directory:
///   fakes.env      written at start: the app's WeChat settings (export lines)
///   go             the script has measured the idle app: seed now
///   seeded         written after seeding (residents.tokens, signup.tokens, paths, orders.txt)
///   sign.request   the script asks for the callbacks (just before it measures them: their timestamps are fresh)
///   callbacks.tsv  the signed callbacks, then callbacks.done
/// </summary>
internal static class OutsideDriver
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("outside-driver <work dir> <app url> [residents=200] [signup residents=3000] [seats=200] [orders=2000] [duplicate %=10] [admin password]");
            return 2;
        }

        var dir = args[1];
        var appUrl = args[2].TrimEnd('/');
        int Arg(int i, int fallback) => args.Length > i && int.TryParse(args[i], out var v) ? v : fallback;
        var residentCount = Arg(3, 200);
        var signupCount = Arg(4, 3000);
        var seats = Arg(5, 200);
        var orderCount = Arg(6, 2000);
        var duplicatePercent = Arg(7, 10);
        var password = args.Length > 8 ? args[8] : "Demo@12345";

        await using var wechat = await FakeWeChatServer.StartAsync();
        wechat.TokenLatency = TimeSpan.Zero;
        await using var pay = await FakeWeChatPayServer.StartAsync();
        var env = new StringBuilder();
        void Export(string key, string? value) => env.Append("export ").Append(key.Replace(":", "__", StringComparison.Ordinal)).Append("='").Append(value).Append("'\n");
        Export("WeChat:AppId", FakeWeChatServer.AppId);
        Export("WeChat:AppSecret", FakeWeChatServer.AppSecret);
        Export("WeChat:BaseUrl", wechat.BaseUrl);
        foreach (var (k, v) in pay.AppSettings)
        {
            Export(k, v);
        }

        await File.WriteAllTextAsync(Path.Combine(dir, "fakes.env"), env.ToString());
        Log($"fake WeChat at {wechat.BaseUrl}, fake WeChat Pay at {pay.BaseUrl}");

        using var http = new HttpClient(Shared, disposeHandler: false) { BaseAddress = new Uri(appUrl + "/"), Timeout = TimeSpan.FromSeconds(60) };
        await WaitReadyAsync(http);
        // The script measures the idle app first, then says go.
        while (!File.Exists(Path.Combine(dir, "go")))
        {
            await Task.Delay(200);
        }

        // Staff: the demo accounts the app seeded (Demo:Seed), signing in through the API like the console's users.
        var community = await AdminAsync(http, "community", password);
        var firm = await AdminAsync(http, "firm", password);
        var estates = await GetJsonAsync(community, "api/v1/admin/estates");
        var estate = estates.EnumerateArray().OrderByDescending(e => e.GetProperty("households").GetInt32()).First();
        var estateId = estate.GetProperty("id").GetInt64();
        Log($"estate {estate.GetProperty("name").GetString()} ({estateId}), {estate.GetProperty("households").GetInt32()} flats");

        // Residents sign in through the WeChat login (the fake platform answers jscode2session).
        var residents = await LoginManyAsync(http, "r", residentCount);
        // The flat directory is paged (at most 100 a page): read pages until enough flats are known.
        var flats = new List<long>();
        for (var page = 1; flats.Count < residentCount; page++)
        {
            var items = (await GetJsonAsync(Bearer(http, residents[0].Token), $"api/v1/estates/{estateId}/households?page={page}&pageSize=100"))
                .GetProperty("items").EnumerateArray().Select(h => h.GetProperty("id").GetInt64()).ToList();
            if (items.Count == 0)
            {
                break;
            }

            flats.AddRange(items);
        }

        if (flats.Count < residentCount)
        {
            throw new InvalidOperationException($"only {flats.Count} flats for {residentCount} residents");
        }

        // Each applies for a flat of their own and the community office approves: residents with homes, as in life.
        await ForEachAsync(Enumerable.Range(0, residentCount), 8, async i =>
        {
            var applied = await SendAsync(Bearer(http, residents[i].Token), HttpMethod.Post, "api/v1/me/residences",
                new { householdId = flats[i], relation = "owner", realName = $"压测业主{i}" });
            var id = applied.GetProperty("id").GetInt64();
            if (applied.GetProperty("status").GetString() != "approved")
            {
                await SendAsync(community, HttpMethod.Post, $"api/v1/admin/residences/{id}/approve", new { });
            }
        });
        Log($"{residentCount} residents signed in, applied and approved");

        // Bills: runs for the months ahead until every resident has enough unpaid bills for the orders.
        var perResident = (orderCount + residentCount - 1) / residentCount;
        var start = DateTime.UtcNow.AddHours(8);
        var billsByResident = new List<long>[residentCount];
        for (var month = 1; month <= 24; month++)
        {
            await CountBillsAsync();
            if (billsByResident.All(b => b.Count >= perResident))
            {
                break;
            }

            var period = start.AddMonths(month).ToString("yyyy-MM", CultureInfo.InvariantCulture);
            await SendAsync(firm, HttpMethod.Post, "api/v1/admin/billing/runs", new { estateId, period });
            // Runs are applied in the background: wait until this period's bills are visible.
            for (var wait = 0; wait < 120; wait++)
            {
                var bills = await GetJsonAsync(Bearer(http, residents[0].Token), "api/v1/bills?status=unpaid");
                if (Items(bills).Any(b => b.GetProperty("period").GetString() == period))
                {
                    break;
                }

                await Task.Delay(500);
            }
        }

        async Task CountBillsAsync() => await ForEachAsync(Enumerable.Range(0, residentCount), 8, async i =>
            billsByResident[i] = Items(await GetJsonAsync(Bearer(http, residents[i].Token), "api/v1/bills?status=unpaid"))
                .Select(b => b.GetProperty("id").GetInt64()).ToList());

        // Unpaid orders, through the API (the app places them with the fake WeChat Pay): one bill each.
        var orderInputs = Enumerable.Range(0, residentCount).SelectMany(i => billsByResident[i].Take(perResident).Select(b => (Resident: i, Bill: b))).Take(orderCount).ToList();
        var orders = new List<string>();
        await ForEachAsync(orderInputs, 16, async o =>
        {
            var created = await SendAsync(Bearer(http, residents[o.Resident].Token), HttpMethod.Post, "api/v1/payments", new { billIds = new[] { o.Bill } },
                ("Idempotency-Key", $"bench-{o.Bill}"));
            lock (orders)
            {
                orders.Add(created.GetProperty("outTradeNo").GetString()!);
            }
        });
        Log($"{orders.Count} unpaid orders placed (wanted {orderCount})");

        // The sign-up burst: an event open to everyone in the community, and 3,000 more residents signed in.
        var now = DateTimeOffset.UtcNow;
        var created = await SendAsync(community, HttpMethod.Post, "api/v1/admin/events", new
        {
            estateId,
            title = "压测：周末义诊",
            description = "外部压测用活动",
            location = "小区会所",
            startsAt = now.AddDays(3),
            endsAt = now.AddDays(3).AddHours(2),
            signupOpensAt = now.AddHours(-1),
            signupClosesAt = now.AddDays(2),
            capacity = seats,
        });
        var eventId = created.GetProperty("id").GetInt64();
        var signups = await LoginManyAsync(http, "s", signupCount);
        Log($"event {eventId} with {seats} seats; {signupCount} more residents signed in");

        await File.WriteAllLinesAsync(Path.Combine(dir, "residents.tokens"), residents.Select(r => r.Token));
        await File.WriteAllLinesAsync(Path.Combine(dir, "signup.tokens"), signups.Select(r => r.Token));
        await File.WriteAllLinesAsync(Path.Combine(dir, "signup.residents"), signups.Select(r => r.Id.ToString(CultureInfo.InvariantCulture)));
        await File.WriteAllLinesAsync(Path.Combine(dir, "ref.ids"), flats.Take(residentCount).Select(f => f.ToString(CultureInfo.InvariantCulture)));
        await File.WriteAllLinesAsync(Path.Combine(dir, "orders.txt"), orders);
        await File.WriteAllTextAsync(Path.Combine(dir, "ids.env"), $"estate_id={estateId}\nevent_id={eventId}\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "seeded"), "");
        Log("seeded");

        // Callbacks on request, signed and encrypted here with the platform key the app trusts.
        while (!File.Exists(Path.Combine(dir, "sign.request")))
        {
            if (File.Exists(Path.Combine(dir, "stop")))
            {
                return 0;
            }

            await Task.Delay(200);
        }

        var lines = new List<string>();
        foreach (var no in orders)
        {
            pay.Pay(no);
            lines.Add(Line(pay.PaymentCallback(no)));
        }

        // WeChat repeats callbacks it thinks were lost: some arrive twice (a fresh signature each time, as WeChat sends them).
        var random = new Random(15);
        var duplicates = orders.Count * duplicatePercent / 100;
        foreach (var no in orders.OrderBy(_ => random.Next()).Take(duplicates))
        {
            lines.Insert(random.Next(lines.Count), Line(pay.PaymentCallback(no)));
        }

        await File.WriteAllLinesAsync(Path.Combine(dir, "callbacks.tsv"), lines);
        await File.WriteAllTextAsync(Path.Combine(dir, "callbacks.done"), $"{lines.Count} {duplicates}");
        Log($"{lines.Count} callbacks signed ({duplicates} duplicates)");
        while (!File.Exists(Path.Combine(dir, "stop")))
        {
            await Task.Delay(200);
        }

        return 0;
    }

    private static string Line((NeighbourHub.WeChat.Pay.SignatureHeaders Headers, string Body) c) =>
        string.Join('\t', c.Headers.Timestamp, c.Headers.Nonce, c.Headers.Signature, c.Headers.Serial, c.Body);

    private static void Log(string message) => Console.WriteLine($"[driver {DateTime.Now:HH:mm:ss}] {message}");

    private static async Task WaitReadyAsync(HttpClient http)
    {
        for (var i = 0; i < 600; i++)
        {
            try
            {
                using var r = await http.GetAsync("health/ready");
                if (r.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(500);
        }

        throw new TimeoutException("the app did not become ready");
    }

    private static async Task<HttpClient> AdminAsync(HttpClient http, string userName, string password)
    {
        var body = await SendAsync(http, HttpMethod.Post, "api/v1/admin/auth/login", new { userName, password });
        return Bearer(http, body.GetProperty("accessToken").GetString()!);
    }

    /// <summary>A view of the shared client with a token (no new connections).</summary>
    private static HttpClient Bearer(HttpClient http, string token) =>
        new(new Forward(token) { InnerHandler = Shared }, disposeHandler: false) { BaseAddress = http.BaseAddress, Timeout = http.Timeout };

    private static readonly SocketsHttpHandler Shared = new() { MaxConnectionsPerServer = 16 };

    private static async Task<List<(long Id, string Token)>> LoginManyAsync(HttpClient http, string prefix, int count)
    {
        var result = new (long, string)[count];
        var run = Guid.NewGuid().ToString("N")[..6];
        await ForEachAsync(Enumerable.Range(0, count), 16, async i =>
        {
            var body = await SendAsync(http, HttpMethod.Post, "api/v1/auth/wechat/login", new { code = $"wx-bench{prefix}{run}{i}" });
            result[i] = (body.GetProperty("resident").GetProperty("id").GetInt64(), body.GetProperty("accessToken").GetString()!);
        });
        return [.. result];
    }

    private static IEnumerable<JsonElement> Items(JsonElement e) =>
        e.ValueKind == JsonValueKind.Array ? e.EnumerateArray() : e.GetProperty("items").EnumerateArray();

    private static async Task ForEachAsync<T>(IEnumerable<T> items, int parallel, Func<T, Task> body) =>
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (x, _) => await body(x));

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path)
    {
        using var r = await http.GetAsync(path);
        return await ReadAsync(r, "GET " + path);
    }

    private static async Task<JsonElement> SendAsync(HttpClient http, HttpMethod method, string path, object body, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        using var r = await http.SendAsync(request);
        return await ReadAsync(r, $"{method} {path}");
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage r, string what)
    {
        var text = await r.Content.ReadAsStringAsync();
        if (!r.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what} → {(int)r.StatusCode}: {text}");
        }

        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Sends through a shared client, adding one resident's or admin's bearer token to each request.</summary>
    private sealed class Forward(string token) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
