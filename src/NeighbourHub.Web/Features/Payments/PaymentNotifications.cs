using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;
using NeighbourHub.WeChat.Pay;

namespace NeighbourHub.Web.Features.Payments;

/// <summary>What to answer WeChat: 204 when done; otherwise a 4xx/5xx with <c>{"code":"FAIL","message":…}</c> (WeChat retries).</summary>
public sealed record NotifyAnswer(int Status, string? Message)
{
    public static readonly NotifyAnswer Done = new(204, null);
}

/// <summary>
/// Payment and refund callbacks. Order of checks: signature over the raw body (with the key the serial
/// names, timestamp within 5 minutes, probes refused), AES-256-GCM decryption, then mchid/appid, order
/// and amount. Anything that fails changes nothing; a wrong amount is flagged for staff. Idempotent:
/// duplicates, even concurrent ones, find the payment already paid.
/// </summary>
public sealed class PaymentNotifications(
    IWeChatPay wechat, PaymentService payments, StaffPayments staff, Microsoft.EntityFrameworkCore.IDbContextFactory<NeighbourHubDbContext> contexts, TimeProvider clock,
    ILogger<PaymentNotifications> log)
{
    /// <summary>Handles one callback in a context of its own: the signature, not any caller, is the authority here.</summary>
    public async Task<NotifyAnswer> HandleAsync(SignatureHeaders headers, string rawBody, CancellationToken ct)
    {
        var opened = WeChatPayNotifications.Open(wechat.Keys, headers, rawBody, clock.GetUtcNow());
        if (!opened.Ok)
        {
            log.LogWarning("WeChat Pay callback refused: {Reason} (serial {Serial})", opened.Error, headers.Serial);
            ProductMetrics.CallbackRejected(RefusalReason(opened));
            return new NotifyAnswer(opened.Check == SignatureCheck.Valid ? 400 : 401, opened.Error);
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        db.Scope = CurrentScope.For(AccessScope.System);
        // One connection for the lookup and the transaction: EF would otherwise take it from the pool twice, and
        // every take resets it (a round trip MariaDB pays for at a thousand callbacks a second).
        await db.Database.OpenConnectionAsync(ct);
        var envelope = opened.Envelope!;
        try
        {
            if (envelope.EventType.StartsWith("REFUND.", StringComparison.Ordinal))
            {
                var refund = JsonSerializer.Deserialize<WeChatRefund>(opened.PlainText!, WeChatPayJson.Options)!;
                await staff.ApplyRefundStateAsync(db, refund.OutRefundNo, refund.State, ct);
                return NotifyAnswer.Done;
            }

            var transaction = JsonSerializer.Deserialize<WeChatTransaction>(opened.PlainText!, WeChatPayJson.Options)!;
            ApplyOutcome outcome;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    outcome = await payments.ApplyTransactionAsync(db, transaction, ct);
                    break;
                }
                catch (Exception e) when (attempt < 4 && Hosting.DatabaseCollisions.IsCollision(e))
                {
                    // Duplicate callbacks racing on one payment may deadlock; applying is idempotent, so the victim
                    // tries again and finds the payment applied, instead of answering WeChat with an error.
                    db.ChangeTracker.Clear();
                    await Task.Delay(Random.Shared.Next(10, 50) * attempt, ct);
                }
            }

            if (!outcome.Ok)
            {
                log.LogWarning("WeChat Pay callback {Id} for {OutTradeNo} not applied: {Note}", envelope.Id, transaction.OutTradeNo, outcome.Note);
                ProductMetrics.CallbackRejected(outcome.Reason ?? ProductMetrics.CallbackReasons.Malformed);
                return new NotifyAnswer(400, outcome.Note);
            }

            return NotifyAnswer.Done;
        }
        catch (JsonException)
        {
            ProductMetrics.CallbackRejected(ProductMetrics.CallbackReasons.Malformed);
            return new NotifyAnswer(400, "解密后的通知内容不是支付结果");
        }
    }

    /// <summary>Why <see cref="WeChatPayNotifications.Open"/> refused a callback, as a metrics label.</summary>
    private static string RefusalReason(WeChatPayNotifications.Opened opened) => opened.Check switch
    {
        SignatureCheck.MissingHeaders => ProductMetrics.CallbackReasons.MissingHeaders,
        SignatureCheck.UnknownSerial => ProductMetrics.CallbackReasons.UnknownSerial,
        SignatureCheck.Stale => ProductMetrics.CallbackReasons.StaleTimestamp,
        SignatureCheck.BadSignature => ProductMetrics.CallbackReasons.Signature,
        // Signed by WeChat, but not an encrypted notification, or not decryptable with our APIv3 key.
        _ => opened.Envelope?.Resource is { Algorithm: "AEAD_AES_256_GCM" } ? ProductMetrics.CallbackReasons.Decrypt : ProductMetrics.CallbackReasons.NotANotification,
    };
}
