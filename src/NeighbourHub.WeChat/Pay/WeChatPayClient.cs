using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace NeighbourHub.WeChat.Pay;

/// <summary>The WeChat Pay v3 calls NeighbourHub makes. The real client and the sandbox both implement it.</summary>
public interface IWeChatPay
{
    WeChatPayKeys Keys { get; }

    bool IsSandbox { get; }

    /// <summary>Creates a JSAPI order and returns its <c>prepay_id</c>.</summary>
    Task<string> CreateJsapiOrderAsync(JsapiOrderRequest order, CancellationToken ct);

    /// <summary>The order as WeChat sees it, or null when WeChat does not know it (ORDER_NOT_EXIST).</summary>
    Task<WeChatTransaction?> QueryOrderAsync(string outTradeNo, CancellationToken ct);

    Task CloseOrderAsync(string outTradeNo, CancellationToken ct);

    Task<WeChatRefund> RefundAsync(RefundRequest refund, CancellationToken ct);
}

/// <summary>Opening a callback: signature first (raw body), then AES-256-GCM decryption.</summary>
public static class WeChatPayNotifications
{
    public sealed record Opened(SignatureCheck Check, NotificationEnvelope? Envelope, string? PlainText, string? Error)
    {
        public bool Ok => Check == SignatureCheck.Valid && PlainText is not null;
    }

    public static Opened Open(WeChatPayKeys keys, SignatureHeaders headers, string rawBody, DateTimeOffset now)
    {
        var check = WeChatPaySignatures.Check(keys, headers, rawBody, now);
        if (check != SignatureCheck.Valid)
        {
            return new Opened(check, null, null, $"签名验证失败：{check}");
        }

        NotificationEnvelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<NotificationEnvelope>(rawBody, WeChatPayJson.Options);
        }
        catch (JsonException)
        {
            envelope = null;
        }

        if (envelope?.Resource is not { } r || r.Algorithm != "AEAD_AES_256_GCM")
        {
            return new Opened(check, envelope, null, "不是微信支付通知报文");
        }

        try
        {
            return new Opened(check, envelope, WeChatPayCrypto.Decrypt(keys.ApiV3Key, r.Nonce, r.AssociatedData, r.Ciphertext), null);
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return new Opened(check, envelope, null, "通知内容无法解密");
        }
    }

    /// <summary>Builds a signed, encrypted callback (the sandbox and the tests' fake use it): headers and body.</summary>
    public static (SignatureHeaders Headers, string Body) Build(RSA platformKey, string platformSerial, string apiV3Key, string eventType, string resourceType,
        string plainResource, DateTimeOffset now)
    {
        var nonce = WeChatPayCrypto.NewNonce()[..12];
        var envelope = new NotificationEnvelope(Guid.NewGuid().ToString(), now.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            eventType, "encrypt-resource", eventType.StartsWith("REFUND", StringComparison.Ordinal) ? "退款成功" : "支付成功",
            new NotificationResource("AEAD_AES_256_GCM", WeChatPayCrypto.Encrypt(apiV3Key, nonce, resourceType, plainResource), resourceType, nonce, resourceType));
        var body = JsonSerializer.Serialize(envelope, WeChatPayJson.Options);
        var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var headerNonce = WeChatPayCrypto.NewNonce();
        var signature = WeChatPayCrypto.Sign(platformKey, WeChatPayCrypto.ResponseMessage(timestamp, headerNonce, body));
        return (new SignatureHeaders(timestamp, headerNonce, signature, platformSerial), body);
    }

    public static PayParams PayParamsFor(WeChatPayKeys keys, string prepayId, DateTimeOffset now)
    {
        var timeStamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = WeChatPayCrypto.NewNonce();
        var package = "prepay_id=" + prepayId;
        return new PayParams(timeStamp, nonce, package, "RSA", WeChatPayCrypto.PaySign(keys.MerchantKey, keys.AppId, timeStamp, nonce, package));
    }
}

/// <summary>
/// The real client: every request signed (<c>Authorization: WECHATPAY2-SHA256-RSA2048 …</c> over the exact
/// bytes sent), every answer's signature verified before it is believed.
/// </summary>
public sealed class WeChatPayClient(HttpClient http, WeChatPayKeys keys, TimeProvider clock) : IWeChatPay
{
    public WeChatPayKeys Keys => keys;

    public bool IsSandbox => false;

    public async Task<string> CreateJsapiOrderAsync(JsapiOrderRequest order, CancellationToken ct) =>
        (await SendAsync<PrepayResponse>(HttpMethod.Post, "/v3/pay/transactions/jsapi", order, ct))!.PrepayId;

    public async Task<WeChatTransaction?> QueryOrderAsync(string outTradeNo, CancellationToken ct)
    {
        try
        {
            return await SendAsync<WeChatTransaction>(HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/{Uri.EscapeDataString(outTradeNo)}?mchid={keys.MchId}", null, ct);
        }
        catch (WeChatPayException e) when (e.Code == "ORDER_NOT_EXIST")
        {
            return null;
        }
    }

    public Task CloseOrderAsync(string outTradeNo, CancellationToken ct) =>
        SendAsync<object>(HttpMethod.Post, $"/v3/pay/transactions/out-trade-no/{Uri.EscapeDataString(outTradeNo)}/close", new { mchid = keys.MchId }, ct);

    public async Task<WeChatRefund> RefundAsync(RefundRequest refund, CancellationToken ct) =>
        (await SendAsync<WeChatRefund>(HttpMethod.Post, "/v3/refund/domestic/refunds", refund, ct))!;

    private async Task<T?> SendAsync<T>(HttpMethod method, string pathAndQuery, object? body, CancellationToken ct) where T : class
    {
        var json = body is null ? "" : JsonSerializer.Serialize(body, body.GetType(), WeChatPayJson.Options);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = WeChatPayCrypto.NewNonce();
        var signature = WeChatPayCrypto.Sign(keys.MerchantKey, WeChatPayCrypto.RequestMessage(method.Method, pathAndQuery, timestamp, nonce, json));
        using var request = new HttpRequestMessage(method, pathAndQuery.TrimStart('/'));
        request.Headers.TryAddWithoutValidation("Authorization", WeChatPayCrypto.AuthorizationHeader(keys.MchId, nonce, signature, timestamp, keys.MerchantSerial));
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.UserAgent.ParseAdd("NeighbourHub/1.0");
        if (body is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        var headers = new SignatureHeaders(Header(response, SignatureHeaders.TimestampHeader), Header(response, SignatureHeaders.NonceHeader),
            Header(response, SignatureHeaders.SignatureHeader), Header(response, SignatureHeaders.SerialHeader));
        // An answer we cannot verify is not believed, success or error alike.
        var check = WeChatPaySignatures.Check(keys, headers, text, clock.GetUtcNow());
        if (check != SignatureCheck.Valid)
        {
            throw new WeChatPayException((int)response.StatusCode, "RESPONSE_NOT_VERIFIED", $"The answer's signature did not verify ({check}).");
        }

        if (!response.IsSuccessStatusCode)
        {
            var error = string.IsNullOrEmpty(text) ? default : JsonSerializer.Deserialize<JsonElement>(text);
            throw new WeChatPayException((int)response.StatusCode,
                error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code", out var c) ? c.GetString() ?? "UNKNOWN" : "UNKNOWN",
                error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.GetString() ?? "" : text);
        }

        return response.StatusCode == HttpStatusCode.NoContent || string.IsNullOrEmpty(text) ? null : JsonSerializer.Deserialize<T>(text, WeChatPayJson.Options);
    }

    private static string? Header(HttpResponseMessage r, string name) => r.Headers.TryGetValues(name, out var v) ? v.FirstOrDefault() : null;
}

/// <summary>
/// The embedded default when no merchant is configured: generated merchant and platform keys, orders kept
/// in memory, and a "pay" step that produces a callback signed and encrypted exactly like WeChat's, which
/// the app then opens through its normal notification path.
/// </summary>
public sealed class SandboxWeChatPay : IWeChatPay
{
    public const string PlatformSerial = "PUB_KEY_ID_SANDBOX";
    private readonly RSA _platformKey = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, (JsapiOrderRequest Order, string State, string? TransactionId)> _orders = new();
    private readonly TimeProvider _clock;

    public SandboxWeChatPay(string appId, TimeProvider clock)
    {
        _clock = clock;
        var platformPublic = RSA.Create();
        platformPublic.ImportParameters(_platformKey.ExportParameters(false));
        Keys = new WeChatPayKeys("1900000000", string.IsNullOrEmpty(appId) ? "wx-sandbox" : appId, "SANDBOX-MERCHANT", RSA.Create(2048),
            new Dictionary<string, RSA> { [PlatformSerial] = platformPublic }, RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 32));
    }

    public WeChatPayKeys Keys { get; }

    public bool IsSandbox => true;

    public Task<string> CreateJsapiOrderAsync(JsapiOrderRequest order, CancellationToken ct)
    {
        if (!_orders.TryAdd(order.OutTradeNo, (order, "NOTPAY", null)))
        {
            throw new WeChatPayException(403, "OUT_TRADE_NO_USED", "商户订单号重复");
        }

        return Task.FromResult("sandbox_prepay_" + Guid.NewGuid().ToString("N"));
    }

    public Task<WeChatTransaction?> QueryOrderAsync(string outTradeNo, CancellationToken ct) =>
        Task.FromResult(_orders.TryGetValue(outTradeNo, out var o) ? Transaction(o.Order, o.State, o.TransactionId) : null);

    public Task CloseOrderAsync(string outTradeNo, CancellationToken ct)
    {
        if (_orders.TryGetValue(outTradeNo, out var o) && o.State == "NOTPAY")
        {
            _orders[outTradeNo] = o with { State = "CLOSED" };
        }

        return Task.CompletedTask;
    }

    public Task<WeChatRefund> RefundAsync(RefundRequest refund, CancellationToken ct) =>
        Task.FromResult(new WeChatRefund(refund.OutRefundNo, "sandbox_refund_" + Guid.NewGuid().ToString("N")[..16], refund.OutTradeNo, null, "SUCCESS", null,
            _clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture), refund.Amount));

    /// <summary>The resident "pays": the order succeeds and a genuine-looking TRANSACTION.SUCCESS callback is returned for delivery.</summary>
    public (SignatureHeaders Headers, string Body) Pay(string outTradeNo)
    {
        if (!_orders.TryGetValue(outTradeNo, out var o))
        {
            throw new WeChatPayException(404, "ORDER_NOT_EXIST", "订单不存在");
        }

        if (o.State is not ("NOTPAY" or "SUCCESS"))
        {
            throw new WeChatPayException(400, "ORDER_CLOSED", "订单已关闭");
        }

        var paid = o with { State = "SUCCESS", TransactionId = o.TransactionId ?? "4200" + RandomNumberGenerator.GetString("0123456789", 24) };
        _orders[outTradeNo] = paid;
        var plain = JsonSerializer.Serialize(Transaction(paid.Order, paid.State, paid.TransactionId), WeChatPayJson.Options);
        return WeChatPayNotifications.Build(_platformKey, PlatformSerial, Keys.ApiV3Key, "TRANSACTION.SUCCESS", "transaction", plain, _clock.GetUtcNow());
    }

    private WeChatTransaction Transaction(JsapiOrderRequest o, string state, string? transactionId) =>
        new(o.Mchid, o.Appid, o.OutTradeNo, transactionId, "JSAPI", state, null,
            state == "SUCCESS" ? _clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture) : null,
            o.Payer, o.Amount with { PayerTotal = o.Amount.Total, PayerCurrency = "CNY" }, o.Attach);
}
