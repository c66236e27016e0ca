using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;

namespace NeighbourHub.Web.Features.Payments;

public sealed record PaymentView(long PaymentId, string OutTradeNo, string Status, string Channel, long AmountFen, long RefundedFen, DateTimeOffset CreatedAt,
    DateTimeOffset? PaidAt, string? ReceiptNo, IReadOnlyList<long> BillIds);

public sealed record ReceiptLine(string Household, string FeeItem, string Period, long AmountFen, long RefundedFen);

public sealed record ReceiptView(string ReceiptNo, string Estate, string Payer, string Channel, DateTimeOffset PaidAt, long AmountFen, long RefundedFen,
    string? TransactionId, string? OfflineReference, IReadOnlyList<ReceiptLine> Lines);

/// <summary>A bill of a paid payment and how much of what it paid for that bill can still go back.</summary>
public sealed record RefundableBill(long PaymentId, long BillId, string FeeItem, string Period, long PaidFen, long RefundedFen)
{
    public long RefundableFen => PaidFen - RefundedFen;
}

/// <summary>Every read of payments, shared by the residents' API, the admin API and the console pages.</summary>
public static class PaymentQueries
{
    public static async Task<PaymentView?> ViewAsync(NeighbourHubDbContext db, long id, long? residentId, CancellationToken ct)
    {
        var p = await db.Payments.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id && (residentId == null || x.ResidentId == residentId), ct);
        if (p is null)
        {
            return null;
        }

        var bills = await db.PaymentBills.AsNoTracking().Where(x => x.PaymentId == id).Select(x => x.BillId).ToListAsync(ct);
        return new PaymentView(p.Id, p.OutTradeNo, Payment.Wire(p.Status), Payment.Wire(p.Channel), p.AmountFen, p.RefundedFen, p.CreatedAt, p.PaidAt, p.ReceiptNo, bills);
    }

    /// <summary>The receipt of a collected payment (residents see their own, staff those of their estates).</summary>
    public static async Task<ReceiptView?> ReceiptAsync(NeighbourHubDbContext db, long id, CancellationToken ct)
    {
        var p = await db.Payments.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id && x.ReceiptNo != null, ct);
        if (p is null)
        {
            return null;
        }

        // The payment is visible, so is everything printed on its receipt, whatever the filters of those tables say.
        var estate = await db.Estates.Unscoped(Because.DetailsOfARowInScope).Where(e => e.Id == p.EstateId).Select(e => e.Name).SingleAsync(ct);
        var lines = await (from pb in db.PaymentBills.Unscoped(Because.DetailsOfARowInScope)
                           where pb.PaymentId == id
                           join b in db.Bills.Unscoped(Because.DetailsOfARowInScope) on pb.BillId equals b.Id
                           join h in db.Households.Unscoped(Because.DetailsOfARowInScope) on b.HouseholdId equals h.Id
                           join bu in db.Buildings.Unscoped(Because.DetailsOfARowInScope) on h.BuildingId equals bu.Id
                           join u in db.Units.Unscoped(Because.DetailsOfARowInScope) on h.UnitId equals u.Id
                           orderby b.Period, b.Id
                           select new ReceiptLine(bu.Name + u.Name + h.Room, b.FeeItemName, b.Period, pb.AmountFen, b.RefundedFen)).ToListAsync(ct);
        var payer = p.ResidentId is { } r
            ? await db.Residents.Unscoped(Because.DetailsOfARowInScope).Where(x => x.Id == r).Select(x => x.Nickname).SingleOrDefaultAsync(ct) ?? "业主"
            : $"线下（{p.RecordedBy}经办）";
        return new ReceiptView(p.ReceiptNo!, estate, payer, Payment.Wire(p.Channel), p.PaidAt!.Value, p.AmountFen, p.RefundedFen, p.TransactionId, p.OfflineReference, lines);
    }

    /// <summary>The latest 200 payments for staff, newest first; <paramref name="reviewOnly"/>: those flagged for a person to look at.</summary>
    public static Task<List<Payment>> StaffListAsync(NeighbourHubDbContext db, PaymentStatus? status, bool reviewOnly, CancellationToken ct) =>
        db.Payments.AsNoTracking().Where(p => (status == null || p.Status == status) && (!reviewOnly || p.NeedsReview))
            .OrderByDescending(p => p.Id).Take(200).ToListAsync(ct);

    /// <summary>The bills of these payments with what each payment paid for them, for the refund form.</summary>
    public static Task<List<RefundableBill>> RefundableBillsAsync(NeighbourHubDbContext db, IReadOnlyCollection<long> paymentIds, CancellationToken ct) =>
        (from pb in db.PaymentBills
         where paymentIds.Contains(pb.PaymentId)
         join b in db.Bills on pb.BillId equals b.Id
         select new RefundableBill(pb.PaymentId, b.Id, b.FeeItemName, b.Period, pb.AmountFen, b.RefundedFen)).ToListAsync(ct);
}
