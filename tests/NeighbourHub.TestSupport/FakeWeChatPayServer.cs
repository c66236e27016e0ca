using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NeighbourHub.WeChat.Pay;

namespace NeighbourHub.TestSupport;

/// <summary>
/// A local stand-in for https://api.mch.weixin.qq.com: real Kestrel, real RSA and AES-GCM. It verifies the
/// merchant's request signatures (401 SIGN_ERROR otherwise), signs every answer with its platform key in
/// public-key mode, keeps orders and refunds, and builds callbacks — genuine ones, and the bad kinds
/// (forged, stale, probe, unknown serial, undecryptable, wrong amount) for the tests.
/// </summary>
public sealed class FakeWeChatPayServer : IAsyncDisposable
{
    public const string MchId = "1900009191";
    public const string AppId = FakeWeChatServer.AppId;
    public const string MerchantSerial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
    public const string PlatformKeyId = "PUB_KEY_ID_0119000091912025110100000000000000";

    private readonly WebApplication _app;
    private readonly RSA _merchantPublic;
    private readonly string _directory;

    public ConcurrentDictionary<string, Order> Orders { get; } = new();
    public ConcurrentDictionary<string, RefundRequest> Refunds { get; } = new();
    /// <summary>Every request as it arrived (the independent check re-verifies their signatures).</summary>
    public ConcurrentQueue<RawRequest> Requests { get; } = new();

    public sealed record RawRequest(string Method, string PathAndQuery, string Authorization, string Body);

    /// <summary>What the refund endpoint answers in <c>status</c> (WeChat usually says PROCESSING first).</summary>
    public string RefundAnswerStatus { get; set; } = "PROCESSING";

    public RSA MerchantKey { get; } = RSA.Create(2048);

    public string MerchantPublicKeyPem => MerchantKey.ExportSubjectPublicKeyInfoPem();

    public string PlatformPrivateKeyPem => PlatformKey.ExportPkcs8PrivateKeyPem();
    public RSA PlatformKey { get; } = RSA.Create(2048);
    public string ApiV3Key { get; } = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 32);
    public string BaseUrl { get; }

    public sealed record Order(JsapiOrderRequest Request, string State, string? TransactionId);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _prepayIds = new();

    private FakeWeChatPayServer(WebApplication app, string baseUrl, string directory)
    {
        _app = app;
        BaseUrl = baseUrl;
        _directory = directory;
        _merchantPublic = RSA.Create();
        _merchantPublic.ImportParameters(MerchantKey.ExportParameters(false));
    }

    /// <summary>The app's WeChatPay settings for this fake (keys written as PEM files, as a merchant would have them).</summary>
    public IDictionary<string, string?> AppSettings => new Dictionary<string, string?>
    {
        ["WeChatPay:MchId"] = MchId,
        ["WeChatPay:AppId"] = AppId,
        ["WeChatPay:MerchantSerialNumber"] = MerchantSerial,
        ["WeChatPay:MerchantPrivateKeyPath"] = Path.Combine(_directory, "apiclient_key.pem"),
        ["WeChatPay:ApiV3Key"] = ApiV3Key,
        ["WeChatPay:PlatformPublicKeyId"] = PlatformKeyId,
        ["WeChatPay:PlatformPublicKeyPath"] = Path.Combine(_directory, "pub_key.pem"),
        ["WeChatPay:BaseUrl"] = BaseUrl,
        ["WeChatPay:NotifyUrl"] = "https://nh.example.com/api/v1/payments/wechat/notify",
        ["WeChatPay:RefundNotifyUrl"] = "https://nh.example.com/api/v1/payments/wechat/refund-notify",
    };

    public static async Task<FakeWeChatPayServer> StartAsync()
    {
        FakeWeChatPayServer? self = null;
        var (app, address) = await LoopbackServer.StartAsync(app =>
        {
            app.MapPost("/v3/pay/transactions/jsapi", (HttpContext h) => self!.Handle(h, self.CreateOrder));
            app.MapGet("/v3/pay/transactions/out-trade-no/{no}", (HttpContext h, string no) => self!.Handle(h, _ => self.Query(no)));
            app.MapPost("/v3/pay/transactions/out-trade-no/{no}/close", (HttpContext h, string no) => self!.Handle(h, _ => self.Close(no)));
            app.MapPost("/v3/refund/domestic/refunds", (HttpContext h) => self!.Handle(h, self.Refund));
        });
        var directory = Directory.CreateTempSubdirectory("nh-fake-pay-").FullName;
        self = new FakeWeChatPayServer(app, address, directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "apiclient_key.pem"), self.MerchantKey.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(Path.Combine(directory, "pub_key.pem"), self.PlatformKey.ExportSubjectPublicKeyInfoPem());
        return self;
    }

    /// <summary>Checks the merchant's signature over exactly what arrived, then answers (signed).</summary>
    private async Task Handle(HttpContext http, Func<string, (int Status, object? Body)> handler)
    {
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var pathAndQuery = http.Request.Path + http.Request.QueryString;
        Requests.Enqueue(new RawRequest(http.Request.Method, pathAndQuery, http.Request.Headers.Authorization.ToString(), body));
        var auth = WeChatPayCrypto.ParseAuthorization(http.Request.Headers.Authorization.ToString());
        var signedOk = auth.TryGetValue("mchid", out var mchid) && mchid == MchId
            && auth.TryGetValue("serial_no", out var serial) && serial == MerchantSerial
            && auth.TryGetValue("timestamp", out var ts) && auth.TryGetValue("nonce_str", out var nonce) && auth.TryGetValue("signature", out var signature)
            && WeChatPayCrypto.Verify(_merchantPublic, WeChatPayCrypto.RequestMessage(http.Request.Method, pathAndQuery, ts, nonce, body), signature);
        var (status, answer) = signedOk ? handler(body) : (401, new { code = "SIGN_ERROR", message = "签名错误" });
        var text = answer is null ? "" : JsonSerializer.Serialize(answer, WeChatPayJson.Options);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var responseNonce = WeChatPayCrypto.NewNonce();
        http.Response.StatusCode = status;
        http.Response.Headers[SignatureHeaders.TimestampHeader] = timestamp;
        http.Response.Headers[SignatureHeaders.NonceHeader] = responseNonce;
        http.Response.Headers[SignatureHeaders.SerialHeader] = PlatformKeyId;
        http.Response.Headers[SignatureHeaders.SignatureHeader] = WeChatPayCrypto.Sign(PlatformKey, WeChatPayCrypto.ResponseMessage(timestamp, responseNonce, text));
        if (text.Length > 0)
        {
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(text);
        }
    }

    private (int, object?) CreateOrder(string body)
    {
        var order = JsonSerializer.Deserialize<JsapiOrderRequest>(body, WeChatPayJson.Options);
        if (order is null || order.Mchid != MchId || order.Appid != AppId || order.Amount.Total <= 0 || string.IsNullOrEmpty(order.Payer?.Openid)
            || order.OutTradeNo.Length is < 6 or > 32 || !order.NotifyUrl.StartsWith("https://", StringComparison.Ordinal) || order.NotifyUrl.Contains('?')
            || order.Description.Length > 127 || !DateTimeOffset.TryParse(order.TimeExpire, CultureInfo.InvariantCulture, out _))
        {
            return (400, new { code = "PARAM_ERROR", message = "参数错误" });
        }

        var prepayId = "wx" + Guid.NewGuid().ToString("N")[..28];
        if (Orders.TryAdd(order.OutTradeNo, new Order(order, "NOTPAY", null)))
        {
            _prepayIds[order.OutTradeNo] = prepayId;
            return (200, new { prepay_id = prepayId });
        }

        // As WeChat Pay does: an unpaid order placed again with the very same parameters answers its prepay id;
        // the same order number with anything changed is refused.
        return Orders.TryGetValue(order.OutTradeNo, out var existing) && existing.State == "NOTPAY" && existing.Request == order
            && _prepayIds.TryGetValue(order.OutTradeNo, out var first)
            ? (200, new { prepay_id = first })
            : (403, new { code = "OUT_TRADE_NO_USED", message = "商户订单号重复" });
    }

    private (int, object?) Query(string outTradeNo) =>
        Orders.TryGetValue(outTradeNo, out var o) ? (200, Transaction(o)) : (404, new { code = "ORDER_NOT_EXIST", message = "订单不存在" });

    private (int, object?) Close(string outTradeNo)
    {
        if (!Orders.TryGetValue(outTradeNo, out var o))
        {
            return (404, new { code = "ORDER_NOT_EXIST", message = "订单不存在" });
        }

        if (o.State == "SUCCESS")
        {
            return (400, new { code = "ORDER_PAID", message = "订单已支付" });
        }

        Orders[outTradeNo] = o with { State = "CLOSED" };
        return (204, null);
    }

    private (int, object?) Refund(string body)
    {
        var refund = JsonSerializer.Deserialize<RefundRequest>(body, WeChatPayJson.Options)!;
        if (!Orders.TryGetValue(refund.OutTradeNo, out var o) || o.State != "SUCCESS")
        {
            return (400, new { code = "INVALID_REQUEST", message = "订单未支付" });
        }

        var refunded = Refunds.Values.Where(r => r.OutTradeNo == refund.OutTradeNo).Sum(r => r.Amount.Refund);
        if (refund.Amount.Total != o.Request.Amount.Total || refunded + refund.Amount.Refund > o.Request.Amount.Total)
        {
            return (400, new { code = "PARAM_ERROR", message = "退款金额超过订单金额" });
        }

        Refunds[refund.OutRefundNo] = refund;
        return (200, new WeChatRefund(refund.OutRefundNo, "5030" + RandomNumberGenerator.GetString("0123456789", 20), refund.OutTradeNo, o.TransactionId,
            RefundAnswerStatus, null, null, refund.Amount));
    }

    /// <summary>The resident pays in WeChat: the order succeeds (no callback yet; see <see cref="PaymentCallback"/>).</summary>
    public void Pay(string outTradeNo) =>
        Orders[outTradeNo] = Orders[outTradeNo] with { State = "SUCCESS", TransactionId = "4200" + RandomNumberGenerator.GetString("0123456789", 24) };

    private WeChatTransaction Transaction(Order o, long? amountOverride = null) =>
        new(o.Request.Mchid, o.Request.Appid, o.Request.OutTradeNo, o.TransactionId, "JSAPI", o.State, null,
            o.State == "SUCCESS" ? DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture) : null,
            o.Request.Payer, new PayAmount(amountOverride ?? o.Request.Amount.Total, "CNY", amountOverride ?? o.Request.Amount.Total, "CNY"), o.Request.Attach);

    /// <summary>
    /// A TRANSACTION.SUCCESS callback for a paid order. The knobs make the bad kinds: another amount, a clock
    /// offset, a signature by someone else's key, a probe signature, another serial, another APIv3 key.
    /// </summary>
    public (SignatureHeaders Headers, string Body) PaymentCallback(string outTradeNo, long? amount = null, TimeSpan? age = null, RSA? signWith = null,
        bool probe = false, string? serial = null, string? apiV3Key = null, string? mchId = null)
    {
        var o = Orders[outTradeNo];
        var transaction = Transaction(o, amount);
        if (mchId is not null)
        {
            transaction = transaction with { Mchid = mchId };
        }

        var (headers, body) = WeChatPayNotifications.Build(signWith ?? PlatformKey, serial ?? PlatformKeyId, apiV3Key ?? ApiV3Key, "TRANSACTION.SUCCESS", "transaction",
            JsonSerializer.Serialize(transaction, WeChatPayJson.Options), DateTimeOffset.UtcNow - (age ?? TimeSpan.Zero));
        if (probe)
        {
            headers = headers with { Signature = WeChatPayCrypto.ProbeSignaturePrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
        }

        return (headers, body);
    }

    public (SignatureHeaders Headers, string Body) RefundCallback(string outRefundNo, string status)
    {
        var r = Refunds[outRefundNo];
        var refund = new WeChatRefund(r.OutRefundNo, "5030" + RandomNumberGenerator.GetString("0123456789", 20), r.OutTradeNo, null, null, status, null, r.Amount);
        return WeChatPayNotifications.Build(PlatformKey, PlatformKeyId, ApiV3Key, "REFUND." + status, "refund", JsonSerializer.Serialize(refund, WeChatPayJson.Options),
            DateTimeOffset.UtcNow);
    }

    /// <summary>Posts a callback to the app exactly as WeChat would: the raw body and the four signature headers.</summary>
    public static Task<HttpResponseMessage> DeliverAsync(HttpClient app, (SignatureHeaders Headers, string Body) callback, string path = "/api/v1/payments/wechat/notify")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(callback.Body, Encoding.UTF8, "application/json") };
        request.Headers.Add(SignatureHeaders.TimestampHeader, callback.Headers.Timestamp);
        request.Headers.Add(SignatureHeaders.NonceHeader, callback.Headers.Nonce);
        request.Headers.Add(SignatureHeaders.SignatureHeader, callback.Headers.Signature);
        request.Headers.Add(SignatureHeaders.SerialHeader, callback.Headers.Serial);
        return app.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
