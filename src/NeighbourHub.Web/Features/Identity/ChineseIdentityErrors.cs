using Microsoft.AspNetCore.Identity;

namespace NeighbourHub.Web.Features.Identity;

/// <summary>
/// ASP.NET Core Identity's messages (account names, passwords) in the console's words. Staff read them when an
/// account is created; the codes stay Identity's own, so code that tells a password problem from a name problem
/// (<see cref="AdminAccounts.CreateAsync"/>) is unaffected.
/// </summary>
public sealed class ChineseIdentityErrors : IdentityErrorDescriber
{
    public override IdentityError DefaultError() => Chinese(base.DefaultError(), "操作失败，请重试。");

    public override IdentityError ConcurrencyFailure() => Chinese(base.ConcurrencyFailure(), "账号刚刚被其他人修改，请刷新后重试。");

    public override IdentityError PasswordMismatch() => Chinese(base.PasswordMismatch(), "密码不正确。");

    public override IdentityError InvalidToken() => Chinese(base.InvalidToken(), "凭证无效或已过期。");

    public override IdentityError RecoveryCodeRedemptionFailed() => Chinese(base.RecoveryCodeRedemptionFailed(), "恢复码无效。");

    public override IdentityError LoginAlreadyAssociated() => Chinese(base.LoginAlreadyAssociated(), "这个外部登录已绑定其他账号。");

    public override IdentityError InvalidUserName(string? userName) =>
        Chinese(base.InvalidUserName(userName), $"用户名“{userName}”无效：只能包含字母、数字和 -._@+。");

    public override IdentityError InvalidEmail(string? email) => Chinese(base.InvalidEmail(email), $"邮箱“{email}”格式不正确。");

    public override IdentityError DuplicateUserName(string userName) => Chinese(base.DuplicateUserName(userName), $"用户名“{userName}”已被使用。");

    public override IdentityError DuplicateEmail(string email) => Chinese(base.DuplicateEmail(email), $"邮箱“{email}”已被使用。");

    public override IdentityError InvalidRoleName(string? role) => Chinese(base.InvalidRoleName(role), $"角色名“{role}”无效。");

    public override IdentityError DuplicateRoleName(string role) => Chinese(base.DuplicateRoleName(role), $"角色名“{role}”已存在。");

    public override IdentityError UserAlreadyHasPassword() => Chinese(base.UserAlreadyHasPassword(), "该账号已设置密码。");

    public override IdentityError UserLockoutNotEnabled() => Chinese(base.UserLockoutNotEnabled(), "该账号未启用锁定。");

    public override IdentityError UserAlreadyInRole(string role) => Chinese(base.UserAlreadyInRole(role), $"该账号已拥有角色“{role}”。");

    public override IdentityError UserNotInRole(string role) => Chinese(base.UserNotInRole(role), $"该账号没有角色“{role}”。");

    public override IdentityError PasswordTooShort(int length) => Chinese(base.PasswordTooShort(length), $"密码至少 {length} 个字符。");

    public override IdentityError PasswordRequiresUniqueChars(int uniqueChars) =>
        Chinese(base.PasswordRequiresUniqueChars(uniqueChars), $"密码至少要包含 {uniqueChars} 个不同的字符。");

    public override IdentityError PasswordRequiresNonAlphanumeric() => Chinese(base.PasswordRequiresNonAlphanumeric(), "密码至少要包含一个符号（非字母和数字）。");

    public override IdentityError PasswordRequiresDigit() => Chinese(base.PasswordRequiresDigit(), "密码至少要包含一个数字（0–9）。");

    public override IdentityError PasswordRequiresLower() => Chinese(base.PasswordRequiresLower(), "密码至少要包含一个小写字母（a–z）。");

    public override IdentityError PasswordRequiresUpper() => Chinese(base.PasswordRequiresUpper(), "密码至少要包含一个大写字母（A–Z）。");

    private static IdentityError Chinese(IdentityError english, string description) => new() { Code = english.Code, Description = description };
}
