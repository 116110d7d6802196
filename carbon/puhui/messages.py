"""Messages of the 碳普惠 (puhui) domain: claims, methodologies, operators and WeRun evidence, the points ledger,
rewards, the pool, residents' sessions and the WeChat login, in Chinese and English (carbon/core/messages.py).

The English text is word for word what the code said before keys existed: clients and tests read it. ``Nested``
passes another error as a parameter, so that a message which wraps one (``{file} data row {n}: {detail}``) shows
the wrapped one in the same language: ``{detail}`` is its English, ``{detail:zh}`` its Chinese.
"""

from __future__ import annotations


class Nested:
    """Another error as a message parameter: formatted with the language as its spec (``{detail:zh}``; none is
    English)."""

    __slots__ = ("exc",)

    def __init__(self, exc):
        self.exc = exc

    def __format__(self, lang: str) -> str:
        return self.exc.text(lang or "en")

    def __str__(self) -> str:
        return self.exc.text("en")


MESSAGES: dict[str, tuple[str, str]] = {
    # shared wordings
    "puhui_prefixed": ("{what}: {detail:zh}", "{what}: {detail}"),
    "puhui_must_be_positive": ("{name} 必须为正数", "{name} must be positive"),
    "puhui_must_not_be_negative": ("{name} 不能为负", "{name} must not be negative"),
    "puhui_occurred_at_timezone": ("occurred_at 需要带时区 (例如 2024-05-01T08:30:00+08:00)",
                                   "occurred_at needs a time zone (e.g. 2024-05-01T08:30:00+08:00)"),
    # claims: plausibility and window rules (rules.py; the 422 code is the reason)
    "puhui_quantity_too_large": ("{code}: 单次申报最多 {max} {unit} (本次申报 {quantity})",
                                 "{code}: at most {max} {unit} in one claim (got {quantity})"),
    "puhui_occurred_in_future": ("occurred_at 是将来的时间", "occurred_at is in the future"),
    "puhui_claim_too_old": ("{code} 须在 {days} 天内申报", "{code} claims must be made within {days} days"),
    "puhui_evidence_required": ("{code} 需要运营方提供的凭证 (operator 和 trip_id)",
                                "{code} needs evidence from an operator (operator and trip_id)"),
    "puhui_speed_too_high": ("{code}: 平均速度 {speed:.1f} km/h 高于 {limit} km/h",
                             "{code}: average speed {speed:.1f} km/h is above {limit} km/h"),
    "puhui_speed_too_low": ("{code}: 平均速度 {speed:.1f} km/h 低于 {limit} km/h",
                            "{code}: average speed {speed:.1f} km/h is below {limit} km/h"),
    "puhui_duplicate_trip": ("该运营方行程已被申领", "this operator trip has already been claimed"),
    "puhui_outcome_unknown": ("保存该申报时与数据库的连接中断, 无法确定是否已记录; 再次发送前请先查看 "
                              "GET /api/v1/puhui/me/ledger (带 Idempotency-Key 发送的申报总可安全重发)",
                              "the connection to the database was lost while this claim was being saved, so whether "
                              "it was recorded is unknown; look at GET /api/v1/puhui/me/ledger before sending it again "
                              "(claims sent with an Idempotency-Key are always safe to send again)"),
    "puhui_idempotency_key_reused": ("该 Idempotency-Key 已用于另一个请求 ({route}); 新的请求请使用新的键",
                                     "Idempotency-Key was already used for a different request ({route}); use a new "
                                     "key for a new request"),
    # methodologies (methodologies.py, methodology_store.py)
    "puhui_not_a_number": ("{what}: {text!r} 不是数字", "{what}: {text!r} is not a number"),
    "puhui_not_finite": ("{what}: {text!r} 不是有限的数值", "{what}: {text!r} is not a finite number"),
    "puhui_factor_unit_not_mass_per": ("因子单位 {factor_unit!r} 应为每 {quantity_unit} 的质量",
                                       "factor unit {factor_unit!r} must be a mass per {quantity_unit}"),
    "puhui_factor_unit_not_per": ("因子单位 {factor_unit!r} 的分母应为 {quantity_unit}",
                                  "factor unit {factor_unit!r} must be per {quantity_unit}"),
    "puhui_factor_unit_per_count": ("因子单位 {factor_unit!r} 以计数为分母, 但数量单位是 {quantity_unit!r}",
                                    "factor unit {factor_unit!r} is per a count, but the quantity unit is "
                                    "{quantity_unit!r}"),
    "puhui_methodology_code": ("代码 {code!r} 不符合要求: 只能使用小写字母、数字和 _ (2-40 个字符)",
                               "code {code!r}: lower-case letters, digits and _ (2-40 chars)"),
    "puhui_version_start": ("版本号从 1 开始", "version starts at 1"),
    "puhui_source_required": ("每个方法学都必须注明来源", "every methodology cites its source"),
    "puhui_confidence_unknown": ("confidence (可信度) 应为以下之一: {known}", "confidence must be one of {known}"),
    "puhui_factor_not_positive": ("减排因子必须为正数", "the reduction factor must be positive"),
    "puhui_count_unit_canonical": ("请使用标准计数单位 ({known})", "use the canonical count unit ({known})"),
    "puhui_cap_period_unknown": ("cap_period (上限周期) 应为以下之一: {known}", "cap_period must be one of {known}"),
    "puhui_cap_needs_period": ("设置上限时需要 cap_period (day 或 month)", "a cap needs a cap_period (day or month)"),
    "puhui_speed_min_above_max": ("speed_min_kmh (最低速度) 必须低于 speed_max_kmh (最高速度)",
                                  "speed_min_kmh must be below speed_max_kmh"),
    "puhui_speed_needs_step": ("对计数类数量设置速度限制时需要 step_length_m (步长)",
                               "a speed limit on a count needs step_length_m"),
    "puhui_speed_needs_distance": ("设置速度限制时, 数量单位须为距离单位", "speed limits need a distance quantity unit"),
    "puhui_window_days": ("window_days (申报时限) 应为 1..366 天", "window_days must be 1..366"),
    "puhui_methodology_row_bad": ("方法学数据行 {code!r} 有误: {reason}", "methodology row {code!r}: {reason}"),
    "puhui_factor_required": ("必须填写 factor (减排因子)", "factor is required"),
    "puhui_data_row": ("{file} 第 {n} 行数据: {detail:zh}", "{file} data row {n}: {detail}"),
    "puhui_methodology_twice": ("{file}: {ref} 出现了两次", "{file}: {ref} appears twice"),
    "puhui_methodology_earlier": ("{file}: {ref} 已在较早的版本文件中定义",
                                  "{file}: {ref} is already defined in an earlier edition"),
    "puhui_unit_not_count_of": ("{code} 按 {quantity_unit} 计数; 单位 {unit!r} 不是其计数单位 (请使用以下之一: {known})",
                                "{code} counts {quantity_unit}s; unit {unit!r} is not a count of them "
                                "(use one of: {known})"),
    "puhui_unit_is_count": ("{code} 以 {quantity_unit} 计量; {unit!r} 是计数单位",
                            "{code} is measured in {quantity_unit}; {unit!r} is a count"),
    "puhui_type_not_in_force": ("类型 {code!r} 在 {on} 没有有效的方法学; 已知类型: {known}",
                                "type {code!r} has no methodology in force on {on}; known: {known}"),
    "puhui_methodology_exists": ("{ref} 已存在; 方法学版本不可修改, 请新增版本 {next}",
                                 "{ref} exists; versions are never edited, add version {next}"),
    "puhui_methodology_changed": ("数据文件中的 {ref} 与已保存的记录不一致: 方法学不可原地修改, 请新增版本",
                                  "{ref} in the data files differs from the stored row: never edit a methodology in "
                                  "place, add a version"),
    # operators and their evidence (operators.py)
    "puhui_self_report_refused": ("{code} 需要运营方提供的凭证 (operator 和 trip_id); 该类行为不接受自行申报",
                                  "{code} needs evidence from an operator (operator and trip_id); self-reported "
                                  "claims are not accepted for it"),
    "puhui_operator_code_name": ("运营方需要代码和名称", "an operator needs a code and a name"),
    "puhui_operator_kinds": ("kinds: 至少填写一个该运营方记录的方法学代码",
                             "kinds: at least one methodology code the operator records"),
    "puhui_operator_exists": ("运营方 {code!r} 已存在", "operator {code!r} exists"),
    "puhui_token_missing": ("缺少 Bearer 令牌", "missing bearer token"),
    "puhui_not_operator_token": ("不是运营方令牌", "not an operator token"),
    "puhui_operator_not_found": ("没有运营方 {code!r}", "no operator {code!r}"),
    "puhui_algorithm_unknown": ("algorithm (签名算法) 应为以下之一: {known}", "algorithm must be one of {known}"),
    "puhui_public_key_bad": ("public_key: 应为 32 字节 Ed25519 公钥的 base64 编码",
                             "public_key: base64 of a 32-byte Ed25519 public key"),
    "puhui_public_key_hmac": ("public_key 仅用于 ed25519; HMAC 密钥由服务器生成",
                              "public_key is only for ed25519; HMAC secrets are made by the server"),
    "puhui_key_unknown": ("运营方 {operator} 的密钥 {key_id!r} 不存在或已过期",
                          "key {key_id!r} of {operator} is unknown or expired"),
    "puhui_signature_bad": ("记录的签名无法用运营方 {operator} 的密钥 {key_id} 验证",
                            "the record's signature does not verify with {operator}'s key {key_id}"),
    "puhui_record_field_required": ("{index}{name}: 必填", "{index}{name}: required"),
    "puhui_record_kind": ("{index}kind: 运营方 {operator} 记录的是 {kinds}, 不是 {kind!r}",
                          "{index}kind: {operator} records {kinds}, not {kind!r}"),
    "puhui_record_quantity_nan": ("{index}quantity: 不是数字", "{index}quantity: not a number"),
    "puhui_record_quantity_positive": ("{index}quantity: 必须为正数", "{index}quantity: must be positive"),
    "puhui_record_occurred_at": ("{index}occurred_at: 应为带时区的 ISO 时间",
                                 "{index}occurred_at: an ISO time with a time zone"),
    "puhui_record_id_long": ("{index}record_id: 最多 128 个字符", "{index}record_id: at most 128 characters"),
    "puhui_record_conflict": ("记录 {record_id!r} 已存在, 且内容不同", "record {record_id!r} exists with other content"),
    "puhui_records_empty": ("records: 至少需要一条记录", "records: at least one"),
    "puhui_records_duplicate": ("records: 同一次推送中 record_id 重复", "records: the same record_id twice in one push"),
    "puhui_operator_unregistered": ("{operator!r} 不是已登记的运营方", "{operator!r} is not a registered operator"),
    "puhui_signed_record_other": ("签名记录属于其他运营方或其他记录编号",
                                  "the signed record is for another operator or record id"),
    "puhui_operator_no_record": ("运营方 {operator} 没有记录 {record_id!r}", "{operator} has no record {record_id!r}"),
    "puhui_record_other_kind": ("记录 {record_id!r} 是 {kind} 类记录, 不是 {code}",
                                "record {record_id!r} is a {kind} record, not {code}"),
    "puhui_record_other_resident": ("记录 {record_id!r} 属于其他居民", "record {record_id!r} belongs to another resident"),
    "puhui_quantity_off_record": ("申报数量 {quantity} {unit} 与记录的 {recorded} 相差超过 {tolerance}%",
                                  "the claim's {quantity} {unit} is not within {tolerance}% of the record's {recorded}"),
    "puhui_record_other_time": ("记录 {record_id!r} 的时间为 {recorded} (北京时间), 与申报时间相差超过 {hours} 小时",
                                "record {record_id!r} is of {recorded} (Beijing time): the claim's time is more than "
                                "{hours} h from it"),
    "puhui_werun_not_accepted": ("微信运动数据不能用于核验 {code} 申报", "WeRun data does not verify {code} claims"),
    "puhui_werun_mismatch": ("微信运动显示 {day} 的步数为 {steps}, 申报的是 {quantity}",
                             "WeRun shows {steps} steps on {day}, the claim says {quantity}"),
    # WeRun data (werun.py)
    "puhui_werun_not_base64": ("{what} 不是有效的 base64", "{what} is not base64"),
    "puhui_werun_size": ("{what} 解码后应为 {size} 字节", "{what} must decode to {size} bytes"),
    "puhui_werun_blocks": ("encrypted_data 的长度不是 AES 分组的整数倍",
                           "encrypted_data is not a whole number of AES blocks"),
    "puhui_werun_decrypt": ("无法用当前会话解密微信运动数据 (请重新调用 wx.login 获取 code)",
                            "WeRun data did not decrypt with this session (use a fresh wx.login code)"),
    "puhui_werun_appid": ("该微信运动数据不是为本小程序签发的 (watermark appid 不符)",
                          "WeRun data was not issued for this mini-program (watermark appid)"),
    "puhui_werun_no_timestamp": ("微信运动数据的 watermark 缺少 timestamp", "WeRun watermark has no timestamp"),
    "puhui_werun_stale": ("微信运动数据须在申报前后 {minutes} 分钟内获取",
                          "WeRun data must be fetched within {minutes} minutes of the claim"),
    "puhui_werun_no_session_key": ("微信未返回该 code 对应的会话密钥", "WeChat returned no session key for this code"),
    "puhui_signed_evidence_incomplete": ("evidence: 签名记录需要同时提供 record、key_id 和 signature",
                                         "evidence: a signed record needs record, key_id and signature together"),
    "puhui_werun_entry": ("微信运动 stepInfoList 中有缺少 timestamp/step 的条目",
                          "WeRun stepInfoList entry without timestamp/step"),
    # WeChat login (wechat.py)
    "puhui_wechat_invalid_code": ("登录 code 无效或已被使用; 请重新调用 wx.login",
                                  "the login code is invalid or was already used; call wx.login again"),
    "puhui_wechat_rate_limited": ("该用户触发了微信登录频率限制 (每分钟 100 次); 请稍后再试",
                                  "WeChat rate limit reached for this user (100 logins a minute); try again later"),
    "puhui_wechat_blocked": ("微信已禁止该高风险用户登录", "WeChat blocked this high-risk user from logging in"),
    "puhui_wechat_busy": ("微信系统繁忙; 请稍后再试", "WeChat is busy; try again in a moment"),
    "puhui_wechat_failed": ("微信登录失败 (errcode {errcode})", "WeChat login failed (errcode {errcode})"),
    "puhui_wechat_code_required": ("code: 必须提供 wx.login 返回的 code (最多 128 个字符)",
                                   "code: the wx.login code is required (at most 128 characters)"),
    "puhui_wechat_unreachable": ("无法连接微信登录服务, 或其返回内容无法解析 ({reason})",
                                 "WeChat login service unreachable or answered garbage ({reason})"),
    "puhui_wechat_not_object": ("微信返回的不是 JSON 对象", "WeChat answered something that is not a JSON object"),
    "puhui_wechat_errcode_nan": ("微信返回了非数字的 errcode {errcode!r}",
                                 "WeChat answered a non-numeric errcode {errcode!r}"),
    "puhui_wechat_no_openid": ("微信返回的结果中没有 openid", "WeChat answered without an openid"),
    "puhui_wechat_dev_code": ("开发环境的登录 code 形如 dev-<name> (name: 1-64 个字符)",
                              "development login codes look like dev-<name> (name: 1-64 characters)"),
    "puhui_wechat_not_configured": ("本服务器未配置微信登录 (CARBON_PUHUI_WECHAT_APP_ID/SECRET)",
                                    "WeChat login is not configured on this server (CARBON_PUHUI_WECHAT_APP_ID/SECRET)"),
    # rate limits (ratelimit.py)
    "puhui_rate_limited_resident": ("该居民的请求过于频繁; 请在 {seconds} 秒后重试",
                                    "too many requests for this resident; retry after {seconds} s"),
    "puhui_rate_limited_ip": ("该 IP 地址的请求过于频繁; 请在 {seconds} 秒后重试",
                              "too many requests for this ip; retry after {seconds} s"),
    "puhui_rate_limited": ("请求过于频繁 ({kind}); 请在 {seconds} 秒后重试",
                           "too many requests for this {kind}; retry after {seconds} s"),
    # residents and sessions (residents.py, privacy.py, summary.py)
    "puhui_session_invalid": ("会话无效或已过期, 请重新登录", "invalid or expired session; log in again"),
    "puhui_account_gone": ("该账户已不存在", "this account no longer exists"),
    "puhui_resident_busy": ("该居民的另一个请求仍在处理中, 请稍后重试",
                            "another request of this resident is still being processed; retry shortly"),
    "puhui_display_name_long": ("display_name (昵称): 最多 64 个字符", "display_name: at most 64 characters"),
    "puhui_footprint_not_found": ("没有 {year} 年的碳足迹记录, 请先填写问卷",
                                  "no footprint for {year}; answer the questionnaire first"),
    "puhui_asset_unknown": ("asset (资产类型) 应为以下之一: {known}", "asset must be one of {known}"),
    # the points ledger (common.py, ledger.py)
    "puhui_ledger_accounts_missing": ("缺少账本账户: {accounts} (请先运行数据库迁移)",
                                      "ledger accounts missing: {accounts} (run the migrations)"),
    "puhui_balance_negative": ("余额不足: 账户 {account} 的余额将变为 {after}", "{account} would go to {after}"),
    "puhui_expiry_rule_unknown": ("{file}: 未知的积分过期规则 {rule!r}", "{file}: unknown expiry rule {rule!r}"),
    # rewards and redemption (redemption.py)
    "puhui_reward_name": ("奖品需要名称", "a reward needs a name"),
    "puhui_reward_not_found": ("没有编号为 {id} 的奖品", "no reward {id}"),
    "puhui_stock_negative": ("库存不能低于零", "stock cannot go below zero"),
    "puhui_insufficient_points": ("兑换该奖品需要 {cost} 积分; 当前积分余额为 {balance}",
                                  "this reward costs {cost} points; the balance is {balance}"),
    "puhui_out_of_stock": ("该奖品已无库存", "this reward is out of stock"),
    # the reduction pool and offset claims (pooling.py)
    "puhui_nothing_to_pool": ("没有可汇入减排量池的减排量", "no reductions left to pool"),
    "puhui_insufficient_reductions": ("尚未汇入减排量池的减排量只有 {available} g",
                                      "only {available} g are not pooled yet"),
    "puhui_reduction_ledger_mismatch": ("减排量账本与行为记录不一致",
                                        "the reduction ledger and the behaviour records disagree"),
    "puhui_pool_ledger_mismatch": ("减排量池账本与行为记录不一致", "the pool ledger and the behaviour records disagree"),
    "puhui_offset_claim_names": ("抵消申领需要填写名称和受益方", "an offset claim needs a name and a beneficiary"),
    "puhui_insufficient_pool": ("减排量池中只有 {available} g", "the pool holds {available} g"),
    "puhui_offset_claim_not_found": ("没有编号为 {id} 的抵消申领", "no offset claim {id}"),
    # the household footprint (footprint.py)
    "puhui_footprint_param_no_source": ("{file}: 参数 {key} 未注明来源", "{file}: {key} cites no source"),
    "puhui_footprint_negative": ("{what}: 数量不能为负", "{what}: quantity must not be negative"),
    "puhui_footprint_factor_missing": ("排放因子库中没有 {item} 的 {parameter} ({category}, {year} 年)",
                                       "the factor library has no {parameter} for {item} ({category}, {year})"),
    "puhui_household_size": ("household_size (家庭人数) 至少为 1", "household_size must be at least 1"),
    "puhui_diet_unknown": ("diet (饮食类型) 应为以下之一: {known}", "diet must be one of {known}"),
    # the certificate and the CLI
    "puhui_pdf_unavailable": ("本服务器无法生成 PDF ({reason})",
                              "PDF rendering is not available on this server ({reason})"),
    "puhui_as_of_timezone": ("--as-of 需要带时区, 例如 2026-01-01T00:00:00+08:00",
                             "--as-of needs a time zone, e.g. 2026-01-01T00:00:00+08:00"),
}
