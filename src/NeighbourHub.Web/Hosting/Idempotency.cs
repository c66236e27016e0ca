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
}
