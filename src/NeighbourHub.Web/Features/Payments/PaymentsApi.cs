using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Billing;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;
using NeighbourHub.WeChat.Pay;

namespace NeighbourHub.Web.Features.Payments;

public sealed record BillView(long Id, long HouseholdId, string Period, string FeeItem, long AmountFen, DateOnly DueDate, string Status, long RefundedFen,
    long? PaymentId, bool BeingPaid);

public sealed record PayBody(IReadOnlyList<long>? BillIds);

public sealed record PaymentView(long PaymentId, string OutTradeNo, string Status, string Channel, long AmountFen, long RefundedFen, DateTimeOffset CreatedAt,
    DateTimeOffset? PaidAt, string? ReceiptNo, IReadOnlyList<long> BillIds);

public sealed record ReceiptLine(string Household, string FeeItem, string Period, long AmountFen, long RefundedFen);

public sealed record ReceiptView(string ReceiptNo, string Estate, string Payer, string Channel, DateTimeOffset PaidAt, long AmountFen, long RefundedFen,
    string? TransactionId, string? OfflineReference, IReadOnlyList<ReceiptLine> Lines);

public sealed record OfflineBody(string? Channel, string? Reference);

public sealed record RefundBody(long? BillId, long? AmountFen, string? Reason);

public static class PaymentsApi
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public static IEndpointRouteBuilder MapPaymentsApi(this IEndpointRouteBuilder app)
    {
        var residents = app.MapGroup("/api/v1").WithTags("Bills and payments").RequireAuthorization(Policies.Resident);
        residents.MapGet("/bills", MyBills);
        residents.MapPost("/payments", Pay);
        residents.MapGet("/payments/{id:long}", async (long id, NeighbourHubDbContext db, CurrentScope s, CancellationToken ct) =>
            await ViewAsync(db, id, s.Value.ResidentId, ct) is { } v ? Results.Ok(v) : Results.NotFound());
        residents.MapPost("/payments/{id:long}/cancel", async (long id, NeighbourHubDbContext db, CurrentScope s, PaymentService p, CancellationToken ct) =>
        {
            await p.CancelAsync(db, id, s.Value.ResidentId!.Value, ct);
            return Results.Ok(await ViewAsync(db, id, s.Value.ResidentId, ct));
        });
        residents.MapGet("/payments/{id:long}/receipt", async (long id, NeighbourHubDbContext db, CancellationToken ct) =>
            await ReceiptAsync(db, id, ct) is { } r ? Results.Ok(r) : Results.NotFound());
        residents.MapPost("/payments/{id:long}/sandbox-pay", SandboxPay).WithDescription("Sandbox only: the resident \"pays\" and a signed callback is delivered.");

        // WeChat calls these; the signature is the authentication.
        app.MapPost("/api/v1/payments/wechat/notify", Notify).AllowAnonymous().DisableAntiforgery().WithTags("Bills and payments");
        app.MapPost("/api/v1/payments/wechat/refund-notify", Notify).AllowAnonymous().DisableAntiforgery().WithTags("Bills and payments");

        var staff = app.MapGroup("/api/v1/admin").WithTags("Admin billing").RequireAuthorization(Policies.ManageBilling);
        staff.MapPost("/bills/{id:long}/offline-payment", Offline);
        staff.MapPost("/payments/{id:long}/refund", RefundPayment);
        staff.MapGet("/payments/{id:long}", async (long id, NeighbourHubDbContext db, CancellationToken ct) =>
            await ViewAsync(db, id, null, ct) is { } v ? Results.Ok(v) : Results.NotFound());
        staff.MapGet("/payments/{id:long}/receipt", async (long id, NeighbourHubDbContext db, CancellationToken ct) =>
            await ReceiptAsync(db, id, ct) is { } r ? Results.Ok(r) : Results.NotFound());
        return app;
    }

    private static async Task<IResult> MyBills(string? status, NeighbourHubDbContext db, CancellationToken ct)
    {
        var v = new Validation();
        var st = EnumQuery.Parse<BillStatus>("status", status, v); // unpaid, paid, refunded
        if (!v.IsValid)
        {
            return v.Problem();
        }

        // The query filter limits bills to the caller's verified households.
        var bills = await db.Bills.AsNoTracking().Where(b => st == null || b.Status == st).OrderByDescending(b => b.Period).ThenBy(b => b.Id).Take(200).ToListAsync(ct);
        return Results.Ok(bills.Select(View).ToList());
    }

    public static BillView View(Bill b) => new(b.Id, b.HouseholdId, b.Period, b.FeeItemName, b.AmountFen, b.DueDate, b.Status.ToString().ToLowerInvariant(),
        b.RefundedFen, b.PaidByPaymentId, b.LockedByPaymentId is not null);

    private static async Task<IResult> Pay(PayBody? body, HttpRequest request, NeighbourHubDbContext db, CurrentScope scope, PaymentService payments, CancellationToken ct)
    {
        var key = request.Headers[IdempotencyHeader].ToString();
        var v = new Validation()
            .When(body?.BillIds is null or { Count: 0 }, "billIds", "billIds is required.")
            .When(body?.BillIds is { Count: > 50 }, "billIds", "At most 50 bills per payment.")
            .When(body?.BillIds?.Any(id => id <= 0) == true, "billIds", "billIds must be positive ids.")
            .When(string.IsNullOrWhiteSpace(key) || key.Length > 64, IdempotencyHeader, "Send an Idempotency-Key header (1–64 characters), new for each payment.");
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var residentId = scope.Value.ResidentId!.Value;
        var openId = await db.Residents.Where(r => r.Id == residentId).Select(r => r.OpenId).SingleAsync(ct);
        try
        {
            var created = await payments.CreateAsync(db, residentId, openId, body!.BillIds!, key, ct);
            return Results.Created($"/api/v1/payments/{created.PaymentId}", created);
        }
        catch (WeChatPayUnavailableException e)
        {
            return Results.Problem(statusCode: 502, title: "WeChat Pay is unavailable.", detail: e.Message);
        }
    }

    private static async Task<IResult> SandboxPay(long id, NeighbourHubDbContext db, CurrentScope scope, IWeChatPay wechat, PaymentNotifications notifications,
        CancellationToken ct)
    {
        if (wechat is not SandboxWeChatPay sandbox)
        {
            return Results.NotFound();
        }

        var payment = await db.Payments.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id && p.ResidentId == scope.Value.ResidentId, ct);
        if (payment is null)
        {
            return Results.NotFound();
        }

        var (headers, body) = sandbox.Pay(payment.OutTradeNo);
        // The very same path a real callback takes: signature, decryption, checks, apply once.
        var answer = await notifications.HandleAsync(headers, body, ct);
        return answer.Status == 204 ? Results.Ok(await ViewAsync(db, id, null, ct)) : Results.Problem(statusCode: 409, detail: answer.Message);
    }

    /// <summary>Reads the raw body exactly as sent (the signature covers those bytes) and answers as WeChat expects.</summary>
    private static async Task<IResult> Notify(HttpRequest request, PaymentNotifications notifications, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var raw = await reader.ReadToEndAsync(ct);
        var h = request.Headers;
        var answer = await notifications.HandleAsync(new SignatureHeaders(h[SignatureHeaders.TimestampHeader], h[SignatureHeaders.NonceHeader],
            h[SignatureHeaders.SignatureHeader], h[SignatureHeaders.SerialHeader]), raw, ct);
        return answer.Status == 204
            ? Results.NoContent()
            : Results.Json(new { code = "FAIL", message = answer.Message }, statusCode: answer.Status);
    }

    /// <summary>The optional Idempotency-Key of staff money steps (1–64 characters when sent).</summary>
    private static string? StaffKey(HttpRequest request, Validation v)
    {
        var key = request.Headers[IdempotencyHeader].ToString();
        v.When(key.Length > 64, IdempotencyHeader, "The Idempotency-Key must be at most 64 characters.");
        return key.Length == 0 ? null : key;
    }

    private static async Task<IResult> Offline(long id, OfflineBody? body, HttpRequest request, NeighbourHubDbContext db, StaffPayments staff, CancellationToken ct)
    {
        var channel = body?.Channel switch { "cash" => PaymentChannel.Cash, "bankTransfer" => PaymentChannel.BankTransfer, _ => (PaymentChannel?)null };
        var v = new Validation().When(channel is null, "channel", "channel must be cash or bankTransfer.").Required("reference", body?.Reference, 64);
        var key = StaffKey(request, v);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var payment = await staff.RecordOfflineAsync(db, id, channel!.Value, body!.Reference!.Trim(), ct, key);
        return Results.Ok(await ViewAsync(db, payment.Id, null, ct));
    }

    private static async Task<IResult> RefundPayment(long id, RefundBody? body, HttpRequest request, NeighbourHubDbContext db, StaffPayments staff, CancellationToken ct)
    {
        var v = new Validation().Positive("billId", body?.BillId).When(body?.AmountFen is null or <= 0, "amountFen", "amountFen must be a positive number of fen.")
            .Required("reason", body?.Reason, 80);
        var key = StaffKey(request, v);
        if (!v.IsValid)
        {
            return v.Problem();
        }

        var refund = await staff.RefundAsync(db, id, body!.BillId!.Value, body.AmountFen!.Value, body.Reason!.Trim(), ct, key);
        return Results.Ok(new { refund.Id, refund.OutRefundNo, status = refund.Status.ToString().ToLowerInvariant(), refund.AmountFen, payment = await ViewAsync(db, id, null, ct) });
    }

    public static async Task<PaymentView?> ViewAsync(NeighbourHubDbContext db, long id, long? residentId, CancellationToken ct)
    {
        var p = await db.Payments.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id && (residentId == null || x.ResidentId == residentId), ct);
        if (p is null)
        {
            return null;
        }

        var bills = await db.PaymentBills.AsNoTracking().Where(x => x.PaymentId == id).Select(x => x.BillId).ToListAsync(ct);
        return new PaymentView(p.Id, p.OutTradeNo, Payment.Wire(p.Status), Wire(p.Channel), p.AmountFen, p.RefundedFen, p.CreatedAt, p.PaidAt, p.ReceiptNo, bills);
    }

    public static string Wire(PaymentChannel c) => c switch { PaymentChannel.WeChat => "wechat", PaymentChannel.Cash => "cash", _ => "bankTransfer" };

    /// <summary>The receipt of a collected payment (residents see their own, staff those of their estates).</summary>
    public static async Task<ReceiptView?> ReceiptAsync(NeighbourHubDbContext db, long id, CancellationToken ct)
    {
        var p = await db.Payments.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id && x.ReceiptNo != null, ct);
        if (p is null)
        {
            return null;
        }

        var estate = await db.Estates.IgnoreQueryFilters().Where(e => e.Id == p.EstateId).Select(e => e.Name).SingleAsync(ct);
        var lines = await (from pb in db.PaymentBills.IgnoreQueryFilters()
                           where pb.PaymentId == id
                           join b in db.Bills.IgnoreQueryFilters() on pb.BillId equals b.Id
                           join h in db.Households.IgnoreQueryFilters() on b.HouseholdId equals h.Id
                           join bu in db.Buildings.IgnoreQueryFilters() on h.BuildingId equals bu.Id
                           join u in db.Units.IgnoreQueryFilters() on h.UnitId equals u.Id
                           orderby b.Period, b.Id
                           select new ReceiptLine(bu.Name + u.Name + h.Room, b.FeeItemName, b.Period, pb.AmountFen, b.RefundedFen)).ToListAsync(ct);
        var payer = p.ResidentId is { } r
            ? await db.Residents.IgnoreQueryFilters().Where(x => x.Id == r).Select(x => x.Nickname).SingleOrDefaultAsync(ct) ?? "业主"
            : $"线下（{p.RecordedBy}经办）";
        return new ReceiptView(p.ReceiptNo!, estate, payer, Wire(p.Channel), p.PaidAt!.Value, p.AmountFen, p.RefundedFen, p.TransactionId, p.OfflineReference, lines);
    }

    /// <summary>Yuan for people: 12345 fen → "123.45".</summary>
    public static string Yuan(long fen) => (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);
}
