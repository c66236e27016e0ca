using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Repairs;

/// <summary>
/// The Open311 keys of the estates in scope: listed, issued and revoked the same way by the admin API and the
/// console page (every rule is checked here, 400 per field).
/// </summary>
public static class Open311Keys
{
    public static Task<List<ApiKeyView>> ListAsync(NeighbourHubDbContext db, long? estateId, CancellationToken ct) =>
        db.Open311ApiKeys.Where(k => estateId == null || k.EstateId == estateId).OrderByDescending(k => k.Id)
            .Select(k => new ApiKeyView(k.Id, k.EstateId, k.Label, k.Prefix, k.CreatedAt, k.RevokedAt)).ToListAsync(ct);

    /// <summary>A new key for an estate; the key itself is in the answer only, its SHA-256 is stored.</summary>
    public static async Task<IssuedApiKey> IssueAsync(NeighbourHubDbContext db, IssueKeyBody? body, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation().Positive("estateId", body?.EstateId).Required("label", body?.Label, 100);
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var (estateId, label) = (body!.EstateId!.Value, body.Label!.Trim());
        if (!await db.Estates.AnyAsync(e => e.Id == estateId, ct))
        {
            throw new NotFoundException("小区");
        }

        var key = "nh311_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var row = new Open311ApiKey { EstateId = estateId, Label = label, KeyHash = Open311ApiKey.Hash(key), Prefix = key[..12], CreatedAt = clock.StorableNow() };
        db.Open311ApiKeys.Add(row);
        await db.SaveChangesAsync(ct);
        return new IssuedApiKey(row.Id, estateId, label, key);
    }

    public static async Task RevokeAsync(NeighbourHubDbContext db, long id, TimeProvider clock, CancellationToken ct)
    {
        var key = await db.Open311ApiKeys.SingleOrDefaultAsync(k => k.Id == id, ct) ?? throw new NotFoundException("Open311 接口密钥");
        key.RevokedAt ??= clock.StorableNow();
        await db.SaveChangesAsync(ct);
    }
}
