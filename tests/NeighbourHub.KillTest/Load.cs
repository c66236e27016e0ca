using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace NeighbourHub.KillTest;

/// <summary>Every answer a client saw in one phase, with when it saw it.</summary>
internal sealed class PhaseStats(string name)
{
    /// <summary>Status −1: no HTTP answer at all (connection refused or reset, timeout).</summary>
    public const int NoAnswer = -1;

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<(double At, string Kind, int Status, string? Detail)> _samples = new();

    public string Name => name;

    /// <summary>When the disruption began and ended, in seconds since the phase began.</summary>
    public (double From, double To)? Disruption { get; set; }

    public double Now => _clock.Elapsed.TotalSeconds;

    public void Record(string kind, int status, string? detail = null) => _samples.Enqueue((Now, kind, status, detail));

    public IReadOnlyList<(double At, string Kind, int Status, string? Detail)> Samples => [.. _samples];

    /// <summary>What counts as "the client was not served": no answer, 5xx, 429. A 409 (retry hint) is counted apart.</summary>
    public static bool Failed(int status) => status is NoAnswer or >= 500 or 429;

    public string Summary()
    {
        var lines = new List<string>();
        var all = Samples;
        var window = Disruption is { } d ? all.Where(s => s.At >= d.From && s.At <= d.To + 3).ToList() : [];
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"  {name}: {all.Count} answers; failed {Rate(all)}; during the disruption and 3 s after ({(Disruption is { } w ? $"{w.From:0.0}–{w.To + 3:0.0} s" : "none")}): failed {Rate(window)}"));
        foreach (var kind in all.Select(s => s.Kind).Distinct().Order(StringComparer.Ordinal))
        {
            var mine = all.Where(s => s.Kind == kind).ToList();
            var statuses = string.Join(", ", mine.GroupBy(s => s.Status).OrderBy(g => g.Key).Select(g => $"{(g.Key == NoAnswer ? "none" : g.Key.ToString(CultureInfo.InvariantCulture))}×{g.Count()}"));
            var inWindow = window.Where(s => s.Kind == kind).ToList();
            lines.Add($"    {kind,-10} failed {Rate(mine),-22} in window {Rate(inWindow),-22} [{statuses}]");
        }

        return string.Join('\n', lines);
    }

    public static string Rate(IReadOnlyCollection<(double At, string Kind, int Status, string? Detail)> samples) =>
        samples.Count == 0 ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{100.0 * samples.Count(s => Failed(s.Status)) / samples.Count:0.0}% of {samples.Count}");

    public double FailedShare(string kind, bool windowOnly)
    {
        var mine = Samples.Where(s => s.Kind == kind && (!windowOnly || Disruption is not { } d || (s.At >= d.From && s.At <= d.To + 3))).ToList();
        return mine.Count == 0 ? 0 : (double)mine.Count(s => Failed(s.Status)) / mine.Count;
    }
}

/// <summary>The clients: everything goes through nginx over TLS (its self-signed test certificate).</summary>
internal sealed class Through(string baseUrl, string certificatePath) : IDisposable
{
    // nginx's certificate is the self-signed one deploy/kill-test.sh made: trusted by its exact hash, nothing else.
    private readonly HttpClient _http = new(Handler(certificatePath))
    {
        BaseAddress = new Uri(baseUrl),
        Timeout = TimeSpan.FromSeconds(20),
    };

    private static SocketsHttpHandler Handler(string certificatePath)
    {
        var thumbprint = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(certificatePath).GetCertHashString();
        return new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == thumbprint },
            MaxConnectionsPerServer = 512,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
    }

    public HttpClient Http => _http;

    public void Dispose() => _http.Dispose();

    public async Task<(int Status, JsonElement Body, string Text)> SendAsync(HttpMethod method, string path, string? token, object? body = null,
        string? idempotencyKey = null, IDictionary<string, string>? headers = null, string? rawBody = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        foreach (var (k, v) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(k, v);
        }

        if (rawBody is not null)
        {
            request.Content = new StringContent(rawBody, System.Text.Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = System.Net.Http.Json.JsonContent.Create(body);
        }

        try
        {
            using var response = await _http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            JsonElement json = default;
            if (text.Length > 0 && (response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) ?? false))
            {
                try
                {
                    json = JsonDocument.Parse(text).RootElement.Clone();
                }
                catch (JsonException)
                {
                }
            }

            return ((int)response.StatusCode, json, text);
        }
        catch (HttpRequestException e)
        {
            return (PhaseStats.NoAnswer, default, e.Message);
        }
        catch (TaskCanceledException e)
        {
            return (PhaseStats.NoAnswer, default, e.Message);
        }
    }

    /// <summary>
    /// What a careful client does with a write: send it, and on no answer, 5xx, 429 or a 409 that asks for a retry,
    /// send the SAME request again (same Idempotency-Key) after a pause, until it is answered for good.
    /// </summary>
    public async Task<(int Status, JsonElement Body, string Text)> UntilAnsweredAsync(PhaseStats stats, string kind,
        Func<Task<(int Status, JsonElement Body, string Text)>> send, TimeSpan? limit = null)
    {
        var until = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            var answer = await send();
            stats.Record(kind, answer.Status, answer.Status >= 500 ? answer.Text : null);
            var retry = PhaseStats.Failed(answer.Status) || answer.Status is 408 or 409;
            if (!retry || DateTime.UtcNow > until)
            {
                return answer;
            }

            await Task.Delay(300);
        }
    }
}
