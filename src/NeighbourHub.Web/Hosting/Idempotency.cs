namespace NeighbourHub.Web.Hosting;

/// <summary>
/// The request header with which a client makes a POST that moves money or points safe to repeat: a replay with
/// the same key answers the first request (ARCHITECTURE.md, Conventions).
/// </summary>
public static class Idempotency
{
    public const string Header = "Idempotency-Key";

    /// <summary>The longest key accepted (its column holds a digest, so this bounds only what clients send).</summary>
    public const int MaxKeyLength = 64;

    /// <summary>The key the request carries, or null when it carries none (or an empty one).</summary>
    public static string? KeyOf(HttpRequest request) => request.Headers[Header].ToString() is { Length: > 0 } key ? key : null;
}

/// <summary>The request check every idempotent POST makes: a key is required and bounded.</summary>
public static class IdempotencyKeys
{
    public static void Check(Validation v, string? key) =>
        v.When(string.IsNullOrWhiteSpace(key) || key.Length > Idempotency.MaxKeyLength, Idempotency.Header, "请在请求头中携带 Idempotency-Key（1–64 个字符），每次新的操作使用新的值。");
}
