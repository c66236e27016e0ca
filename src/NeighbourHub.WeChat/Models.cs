using System.Text.Json;
using System.Text.Json.Serialization;

namespace NeighbourHub.WeChat;

/// <summary>The identity <c>jscode2session</c> returns for a <c>wx.login</c> code.</summary>
public sealed record WeChatSession(string OpenId, string? UnionId, string SessionKey);

/// <summary>A phone number the user agreed to share.</summary>
public sealed record WeChatPhone(string PhoneNumber, string PurePhoneNumber, string CountryCode);

public enum SubscribeSendOutcome
{
    Sent,
    /// <summary>43101: the user has used up the quota they granted; recorded, never retried.</summary>
    NoQuota,
    /// <summary>Any other refusal (bad openid, bad template…): recorded with its errcode.</summary>
    Rejected,
}

public sealed record SubscribeSendResult(SubscribeSendOutcome Outcome, long? MsgId, int ErrCode, string? ErrMsg);

public sealed record SubscribeMessage(
    string ToOpenId,
    string TemplateId,
    string? Page,
    IReadOnlyDictionary<string, string> Data,
    string MiniProgramState = "formal",
    string Lang = "zh_CN");

/// <summary><c>msg_sec_check</c> verdicts. Decide on this, not on errcode.</summary>
public enum ContentSuggestion { Pass, Review, Risky }

public sealed record ContentCheckResult(ContentSuggestion Suggestion, string? Label);

/// <summary>Wire shapes. WeChat uses snake_case and is lax about types (countryCode: string or number).</summary>
internal static class Wire
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    internal class ErrorPart
    {
        public int Errcode { get; set; }
        public string? Errmsg { get; set; }
    }

    internal sealed class SessionResponse : ErrorPart
    {
        public string? Openid { get; set; }
        public string? Unionid { get; set; }
        public string? SessionKey { get; set; }
    }

    internal sealed class TokenResponse : ErrorPart
    {
        public string? AccessToken { get; set; }
        public int ExpiresIn { get; set; }
    }

    internal sealed class PhoneResponse : ErrorPart
    {
        public PhoneInfo? PhoneInfo { get; set; }
    }

    /// <summary>Unlike the envelope, phone_info's members are camelCase on the wire.</summary>
    internal sealed class PhoneInfo
    {
        [JsonPropertyName("phoneNumber")]
        public string? PhoneNumber { get; set; }

        [JsonPropertyName("purePhoneNumber")]
        public string? PurePhoneNumber { get; set; }

        [JsonPropertyName("countryCode")]
        [JsonConverter(typeof(StringOrNumberConverter))]
        public string? CountryCode { get; set; }
    }

    internal sealed class SendResponse : ErrorPart
    {
        public long? Msgid { get; set; }
    }

    internal sealed class SecCheckResponse : ErrorPart
    {
        public SecCheckResult? Result { get; set; }
    }

    internal sealed class SecCheckResult
    {
        public string? Suggest { get; set; }
        [JsonConverter(typeof(StringOrNumberConverter))]
        public string? Label { get; set; }
    }

    /// <summary>Accepts a JSON string or number and keeps it as text.</summary>
    internal sealed class StringOrNumberConverter : JsonConverter<string?>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString(),
                JsonTokenType.Number => reader.TryGetInt64(out var n) ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : reader.GetDouble().ToString(System.Globalization.CultureInfo.InvariantCulture),
                JsonTokenType.Null => null,
                _ => throw new JsonException($"Expected a string or number, got {reader.TokenType}."),
            };

        public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value);
    }
}
