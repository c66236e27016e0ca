using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NeighbourHub.WeChat.Pay;

/// <summary>JSON as WeChat Pay writes it: snake_case, nulls left out.</summary>
public static class WeChatPayJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

public sealed record PayAmount(long Total, string Currency = "CNY", long? PayerTotal = null, string? PayerCurrency = null);

public sealed record Payer(string Openid);

/// <summary><c>POST /v3/pay/transactions/jsapi</c>.</summary>
public sealed record JsapiOrderRequest(
    string Appid, string Mchid, string Description, string OutTradeNo, string TimeExpire, string? Attach, string NotifyUrl, PayAmount Amount, Payer Payer);

public sealed record PrepayResponse(string PrepayId);

/// <summary>The parameters the mini-program passes to <c>wx.requestPayment</c>.</summary>
public sealed record PayParams(string TimeStamp, string NonceStr, string Package, string SignType, string PaySign);

/// <summary>A transaction as WeChat reports it (query answer or decrypted payment callback).</summary>
public sealed record WeChatTransaction(
    string Mchid, string Appid, string OutTradeNo, string? TransactionId, string? TradeType, string TradeState, string? TradeStateDesc,
    string? SuccessTime, Payer? Payer, PayAmount? Amount, string? Attach);

public sealed record RefundAmount(long Refund, long Total, string Currency = "CNY");

/// <summary><c>POST /v3/refund/domestic/refunds</c>.</summary>
public sealed record RefundRequest(string OutTradeNo, string OutRefundNo, string? Reason, string? NotifyUrl, RefundAmount Amount);

/// <summary>A refund as WeChat reports it (answer, query or decrypted refund callback).</summary>
public sealed record WeChatRefund(string OutRefundNo, string? RefundId, string OutTradeNo, string? TransactionId, string? Status, string? RefundStatus,
    string? SuccessTime, RefundAmount? Amount)
{
    /// <summary>The answer says <c>status</c>, the callback says <c>refund_status</c>.</summary>
    public string State => Status ?? RefundStatus ?? "PROCESSING";
}

public sealed record NotificationResource(string Algorithm, string Ciphertext, string? AssociatedData, string Nonce, string? OriginalType);

/// <summary>The callback envelope: <c>{id, create_time, event_type, resource_type, summary, resource}</c>.</summary>
public sealed record NotificationEnvelope(string Id, string? CreateTime, string EventType, string? ResourceType, string? Summary, NotificationResource Resource);

/// <summary>An error answer: <c>{code, message, detail}</c>.</summary>
public sealed class WeChatPayException(int status, string code, string message) : Exception($"WeChat Pay {status} {code}: {message}")
{
    public int HttpStatus { get; } = status;
    public string Code { get; } = code;
}

/// <summary>The four signature headers of responses and callbacks.</summary>
public sealed record SignatureHeaders(string? Timestamp, string? Nonce, string? Signature, string? Serial)
{
    public const string TimestampHeader = "Wechatpay-Timestamp";
    public const string NonceHeader = "Wechatpay-Nonce";
    public const string SignatureHeader = "Wechatpay-Signature";
    public const string SerialHeader = "Wechatpay-Serial";
}

/// <summary>
/// The keys one merchant works with: its own private key (signing requests and paySign) and the
/// platform's public keys by serial (verifying responses and callbacks), plus the APIv3 key.
/// </summary>
public sealed class WeChatPayKeys(string mchId, string appId, string merchantSerial, RSA merchantKey, IReadOnlyDictionary<string, RSA> platformKeys, string apiV3Key)
{
    public string MchId { get; } = mchId;
    public string AppId { get; } = appId;
    public string MerchantSerial { get; } = merchantSerial;
    public RSA MerchantKey { get; } = merchantKey;
    public IReadOnlyDictionary<string, RSA> PlatformKeys { get; } = platformKeys;
    public string ApiV3Key { get; } = apiV3Key;

    public static WeChatPayKeys Load(WeChatPayOptions o)
    {
        var platform = new Dictionary<string, RSA>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(o.PlatformPublicKeyId))
        {
            platform[o.PlatformPublicKeyId] = WeChatPayCrypto.LoadPem(o.PlatformPublicKeyPath);
        }

        foreach (var path in o.PlatformCertificatePaths)
        {
            using var cert = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(path));
            platform[cert.SerialNumber.ToUpperInvariant()] = WeChatPayCrypto.LoadPem(path);
        }

        if (platform.Count == 0)
        {
            throw new InvalidOperationException("WeChatPay: configure PlatformPublicKeyId + PlatformPublicKeyPath (or PlatformCertificatePaths).");
        }

        return new WeChatPayKeys(o.MchId, o.AppId, o.MerchantSerialNumber, WeChatPayCrypto.LoadPem(o.MerchantPrivateKeyPath), platform, o.ApiV3Key);
    }
}

public enum SignatureCheck { Valid, MissingHeaders, UnknownSerial, Stale, BadSignature }

public static class WeChatPaySignatures
{
    /// <summary>
    /// Verifies a response or callback: the serial chooses the key (<c>PUB_KEY_ID_…</c> or a certificate serial),
    /// timestamps 5 minutes or more off are refused, probes (<c>WECHATPAY/SIGNTEST/</c>) fail like any bad signature.
    /// </summary>
    public static SignatureCheck Check(WeChatPayKeys keys, SignatureHeaders h, string body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(h.Timestamp) || string.IsNullOrEmpty(h.Nonce) || string.IsNullOrEmpty(h.Signature) || string.IsNullOrEmpty(h.Serial))
        {
            return SignatureCheck.MissingHeaders;
        }

        if (!long.TryParse(h.Timestamp, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            || (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() >= WeChatPayCrypto.MaxClockSkew)
        {
            return SignatureCheck.Stale;
        }

        if (!keys.PlatformKeys.TryGetValue(h.Serial, out var key) && !keys.PlatformKeys.TryGetValue(h.Serial.ToUpperInvariant(), out key))
        {
            return SignatureCheck.UnknownSerial;
        }

        return WeChatPayCrypto.Verify(key, WeChatPayCrypto.ResponseMessage(h.Timestamp, h.Nonce, body), h.Signature)
            ? SignatureCheck.Valid : SignatureCheck.BadSignature;
    }
}
