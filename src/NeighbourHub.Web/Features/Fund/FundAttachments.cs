using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Fund;

/// <summary>
/// Vouchers, quotes, invoices and photos of the fund: uploads of the staff member who attaches them
/// (POST /api/v1/files), then readable by everyone who reads the estate's fund. Their SHA-256 goes into the
/// leaf, so a replaced file shows as a mismatch.
/// </summary>
public sealed class FundAttachments
{
    public const int MaxPerItem = 9;

    public static void CheckIds(Validation v, IReadOnlyList<string>? ids) =>
        v.When(ids is { Count: > MaxPerItem }, "attachmentIds", $"附件最多 {MaxPerItem} 个。")
         .When(ids?.Any(id => string.IsNullOrWhiteSpace(id) || id.Length > 32) == true, "attachmentIds", "附件编号无效，请重新上传。")
         .When(ids is not null && ids.Distinct().Count() != ids.Count, "attachmentIds", "同一个附件只需添加一次。");

    /// <summary>Links the caller's own uploads to the estate's fund (an expense, or an entry to be pinned after append).</summary>
    public async Task<List<FundAttachment>> AttachAsync(NeighbourHubDbContext db, long estateId, IReadOnlyList<string>? ids, long? expenseId, bool proof,
        CancellationToken ct)
    {
        if (ids is null or { Count: 0 })
        {
            return [];
        }

        var adminId = db.Scope.Value.AdminUserId;
        var files = await db.StoredFiles.AsNoTracking().Where(f => ids.Contains(f.Id) && f.UploadedByAdminId == adminId).ToListAsync(ct);
        if (files.Count != ids.Count)
        {
            throw new DomainValidationException("attachmentIds", "附件不存在，或不是您本人上传的，请重新上传。");
        }

        var attached = ids.Select((id, i) => new FundAttachment
        {
            EstateId = estateId,
            FileId = id,
            Sha256 = files.Single(f => f.Id == id).Sha256,
            Name = files.Single(f => f.Id == id).ContentType == "application/pdf" ? $"附件{i + 1}.pdf" : $"附件{i + 1}",
            ExpenseId = expenseId,
            IsPaymentProof = proof,
        }).ToList();
        db.FundAttachments.AddRange(attached);
        await db.SaveChangesAsync(ct);
        return attached;
    }

    public async Task PinToEntryAsync(NeighbourHubDbContext db, IReadOnlyList<FundAttachment> attached, long seq, CancellationToken ct)
    {
        if (attached.Count == 0)
        {
            return;
        }

        var ids = attached.Select(a => a.Id).ToList();
        await db.FundAttachments.Where(a => ids.Contains(a.Id)).ExecuteUpdateAsync(u => u.SetProperty(a => a.EntrySeq, seq), ct);
    }
}
