using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace NeighbourHub.Web.Features.Identity;

/// <summary>Issues the short-lived JWTs for residents and for admin API clients.</summary>
public sealed class TokenService(IOptions<JwtOptions> options, SigningKey key, TimeProvider clock)
{
    private readonly JsonWebTokenHandler _handler = new();

    public (string Token, int ExpiresInSeconds) ForResident(Resident resident)
    {
        var minutes = options.Value.ResidentAccessTokenMinutes;
        var claims = new List<Claim>
        {
            new(AuthClaims.Subject, resident.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(AuthClaims.Kind, AuthClaims.ResidentKind),
            new(AuthClaims.Name, resident.Nickname),
        };
        return (Create(claims, AuthClaims.ResidentAudience, minutes), minutes * 60);
    }

    public (string Token, int ExpiresInSeconds) ForAdmin(ClaimsIdentity admin)
    {
        var minutes = options.Value.AdminAccessTokenMinutes;
        return (Create(admin.Claims, AuthClaims.AdminAudience, minutes), minutes * 60);
    }

    private string Create(IEnumerable<Claim> claims, string audience, int minutes)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(minutes),
            SigningCredentials = new SigningCredentials(key.Key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>An opaque 256-bit refresh token and the SHA-256 hex under which it is stored.</summary>
    public static (string Raw, string Hash) NewRefreshToken()
    {
        var raw = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        return (raw, HashRefreshToken(raw));
    }

    public static string HashRefreshToken(string raw) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(raw)));
}

/// <summary>The symmetric key shared by token issuing and validation.</summary>
public sealed class SigningKey(SymmetricSecurityKey key)
{
    public SymmetricSecurityKey Key { get; } = key;

    public static SigningKey From(JwtOptions options, IHostEnvironment env)
    {
        if (string.IsNullOrWhiteSpace(options.SigningKey))
        {
            if (env.IsProduction())
            {
                throw new InvalidOperationException("Jwt:SigningKey must be set in Production (at least 32 characters, the same on every instance).");
            }

            return new SigningKey(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)));
        }

        var bytes = Encoding.UTF8.GetBytes(options.SigningKey);
        if (bytes.Length < 32)
        {
            throw new InvalidOperationException("Jwt:SigningKey must be at least 32 bytes.");
        }

        return new SigningKey(new SymmetricSecurityKey(bytes));
    }
}
