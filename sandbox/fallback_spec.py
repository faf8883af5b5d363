"""The fallback Bot API description: parameters of the implemented methods only.

Used when api.json is absent (a deployed demo). Written from Bot API 10.1 in a compact form:
``name:Type|Type`` per field, ``!`` marks a required one, ``[X]`` is "Array of X".
Types not listed here are accepted as any JSON object.
"""

from __future__ import annotations

from sandbox.spec import ApiSpec, Field

METHODS: dict[str, str] = {
    "getMe": "",
    "logOut": "",
    "close": "",
    "getUpdates": "offset:Integer limit:Integer timeout:Integer allowed_updates:[String]",
    "setWebhook": (
        "url!:String certificate:InputFile ip_address:String max_connections:Integer "
        "allowed_updates:[String] drop_pending_updates:Boolean secret_token:String"
    ),
    "deleteWebhook": "drop_pending_updates:Boolean",
    "getWebhookInfo": "",
    "sendMessage": (
        "business_connection_id:String chat_id!:Integer|String message_thread_id:Integer "
        "direct_messages_topic_id:Integer text!:String parse_mode:String "
        "entities:[MessageEntity] link_preview_options:LinkPreviewOptions "
        "disable_notification:Boolean protect_content:Boolean allow_paid_broadcast:Boolean "
        "message_effect_id:String suggested_post_parameters:SuggestedPostParameters "
        "reply_parameters:ReplyParameters "
        "reply_markup:InlineKeyboardMarkup|ReplyKeyboardMarkup|ReplyKeyboardRemove|ForceReply"
    ),
    "editMessageText": (
        "business_connection_id:String chat_id:Integer|String message_id:Integer "
        "inline_message_id:String text:String parse_mode:String entities:[MessageEntity] "
        "link_preview_options:LinkPreviewOptions rich_message:InputRichMessage "
        "reply_markup:InlineKeyboardMarkup"
    ),
    "editMessageReplyMarkup": (
        "business_connection_id:String chat_id:Integer|String message_id:Integer "
        "inline_message_id:String reply_markup:InlineKeyboardMarkup"
    ),
    "editMessageCaption": (
        "business_connection_id:String chat_id:Integer|String message_id:Integer "
        "inline_message_id:String caption:String parse_mode:String "
        "caption_entities:[MessageEntity] show_caption_above_media:Boolean "
        "reply_markup:InlineKeyboardMarkup"
    ),
    "deleteMessage": "chat_id!:Integer|String message_id!:Integer",
    "deleteMessages": "chat_id!:Integer|String message_ids!:[Integer]",
    "answerCallbackQuery": (
        "callback_query_id!:String text:String show_alert:Boolean url:String cache_time:Integer"
    ),
    "sendPhoto": (
        "business_connection_id:String chat_id!:Integer|String message_thread_id:Integer "
        "direct_messages_topic_id:Integer photo!:InputFile|String caption:String "
        "parse_mode:String caption_entities:[MessageEntity] show_caption_above_media:Boolean "
        "has_spoiler:Boolean disable_notification:Boolean protect_content:Boolean "
        "allow_paid_broadcast:Boolean message_effect_id:String "
        "suggested_post_parameters:SuggestedPostParameters reply_parameters:ReplyParameters "
        "reply_markup:InlineKeyboardMarkup|ReplyKeyboardMarkup|ReplyKeyboardRemove|ForceReply"
    ),
    "sendDocument": (
        "business_connection_id:String chat_id!:Integer|String message_thread_id:Integer "
        "direct_messages_topic_id:Integer document!:InputFile|String "
        "thumbnail:InputFile|String caption:String parse_mode:String "
        "caption_entities:[MessageEntity] disable_content_type_detection:Boolean "
        "disable_notification:Boolean protect_content:Boolean allow_paid_broadcast:Boolean "
        "message_effect_id:String suggested_post_parameters:SuggestedPostParameters "
        "reply_parameters:ReplyParameters "
        "reply_markup:InlineKeyboardMarkup|ReplyKeyboardMarkup|ReplyKeyboardRemove|ForceReply"
    ),
    "sendLocation": (
        "business_connection_id:String chat_id!:Integer|String message_thread_id:Integer "
        "direct_messages_topic_id:Integer latitude!:Float longitude!:Float "
        "horizontal_accuracy:Float live_period:Integer heading:Integer "
        "proximity_alert_radius:Integer disable_notification:Boolean protect_content:Boolean "
        "allow_paid_broadcast:Boolean message_effect_id:String "
        "suggested_post_parameters:SuggestedPostParameters reply_parameters:ReplyParameters "
        "reply_markup:InlineKeyboardMarkup|ReplyKeyboardMarkup|ReplyKeyboardRemove|ForceReply"
    ),
    "sendContact": (
        "business_connection_id:String chat_id!:Integer|String message_thread_id:Integer "
        "direct_messages_topic_id:Integer phone_number!:String first_name!:String "
        "last_name:String vcard:String disable_notification:Boolean protect_content:Boolean "
        "allow_paid_broadcast:Boolean message_effect_id:String "
        "suggested_post_parameters:SuggestedPostParameters reply_parameters:ReplyParameters "
        "reply_markup:InlineKeyboardMarkup|ReplyKeyboardMarkup|ReplyKeyboardRemove|ForceReply"
    ),
    "sendChatAction": (
        "business_connection_id:String chat_id!:Integer|String message_thread_id:Integer "
        "action!:String"
    ),
    "setMyCommands": "commands!:[BotCommand] scope:BotCommandScope language_code:String",
    "getMyCommands": "scope:BotCommandScope language_code:String",
    "deleteMyCommands": "scope:BotCommandScope language_code:String",
    "getChat": "chat_id!:Integer|String",
    "setChatMenuButton": "chat_id:Integer menu_button:MenuButton",
    "getChatMenuButton": "chat_id:Integer",
    "copyMessage": (
        "chat_id!:Integer|String message_thread_id:Integer direct_messages_topic_id:Integer "
        "from_chat_id!:Integer|String message_id!:Integer video_start_timestamp:Integer "
        "caption:String parse_mode:String caption_entities:[MessageEntity] "
        "show_caption_above_media:Boolean disable_notification:Boolean "
        "protect_content:Boolean allow_paid_broadcast:Boolean message_effect_id:String "
        "suggested_post_parameters:SuggestedPostParameters reply_parameters:ReplyParameters "
        "reply_markup:InlineKeyboardMarkup|ReplyKeyboardMarkup|ReplyKeyboardRemove|ForceReply"
    ),
    "forwardMessage": (
        "chat_id!:Integer|String message_thread_id:Integer direct_messages_topic_id:Integer "
        "from_chat_id!:Integer|String video_start_timestamp:Integer "
        "disable_notification:Boolean protect_content:Boolean message_effect_id:String "
        "suggested_post_parameters:SuggestedPostParameters message_id!:Integer"
    ),
    "getFile": "file_id!:String",
}

TYPES: dict[str, str] = {
    "InlineKeyboardMarkup": "inline_keyboard!:[[InlineKeyboardButton]]",
    "InlineKeyboardButton": (
        "text!:String icon_custom_emoji_id:String style:String url:String "
        "callback_data:String web_app:WebAppInfo login_url:LoginUrl "
        "switch_inline_query:String switch_inline_query_current_chat:String "
        "switch_inline_query_chosen_chat:SwitchInlineQueryChosenChat copy_text:CopyTextButton "
        "callback_game:CallbackGame pay:Boolean"
    ),
    "WebAppInfo": "url!:String",
    "LoginUrl": (
        "url!:String forward_text:String bot_username:String request_write_access:Boolean"
    ),
    "SwitchInlineQueryChosenChat": (
        "query:String allow_user_chats:Boolean allow_bot_chats:Boolean "
        "allow_group_chats:Boolean allow_channel_chats:Boolean"
    ),
    "CopyTextButton": "text!:String",
    "CallbackGame": "",
    "ReplyKeyboardMarkup": (
        "keyboard!:[[KeyboardButton]] is_persistent:Boolean resize_keyboard:Boolean "
        "one_time_keyboard:Boolean input_field_placeholder:String selective:Boolean"
    ),
    "KeyboardButton": (
        "text!:String icon_custom_emoji_id:String style:String "
        "request_users:KeyboardButtonRequestUsers request_chat:KeyboardButtonRequestChat "
        "request_managed_bot:KeyboardButtonRequestManagedBot request_contact:Boolean "
        "request_location:Boolean request_poll:KeyboardButtonPollType web_app:WebAppInfo"
    ),
    "KeyboardButtonRequestUsers": (
        "request_id!:Integer user_is_bot:Boolean user_is_premium:Boolean max_quantity:Integer "
        "request_name:Boolean request_username:Boolean request_photo:Boolean"
    ),
    "KeyboardButtonRequestChat": (
        "request_id!:Integer chat_is_channel!:Boolean chat_is_forum:Boolean "
        "chat_has_username:Boolean chat_is_created:Boolean "
        "user_administrator_rights:ChatAdministratorRights "
        "bot_administrator_rights:ChatAdministratorRights bot_is_member:Boolean "
        "request_title:Boolean request_username:Boolean request_photo:Boolean"
    ),
    "KeyboardButtonPollType": "type:String",
    "ReplyKeyboardRemove": "remove_keyboard!:Boolean selective:Boolean",
    "ForceReply": "force_reply!:Boolean input_field_placeholder:String selective:Boolean",
    "MessageEntity": (
        "type!:String offset!:Integer length!:Integer url:String user:User language:String "
        "custom_emoji_id:String unix_time:Integer date_time_format:String"
    ),
    "User": (
        "id!:Integer is_bot!:Boolean first_name!:String last_name:String username:String "
        "language_code:String is_premium:Boolean added_to_attachment_menu:Boolean "
        "can_join_groups:Boolean can_read_all_group_messages:Boolean "
        "supports_guest_queries:Boolean supports_inline_queries:Boolean "
        "can_connect_to_business:Boolean has_main_web_app:Boolean has_topics_enabled:Boolean "
        "allows_users_to_create_topics:Boolean can_manage_bots:Boolean "
        "supports_join_request_queries:Boolean"
    ),
    "LinkPreviewOptions": (
        "is_disabled:Boolean url:String prefer_small_media:Boolean prefer_large_media:Boolean "
        "show_above_text:Boolean"
    ),
    "ReplyParameters": (
        "message_id!:Integer chat_id:Integer|String allow_sending_without_reply:Boolean "
        "quote:String quote_parse_mode:String quote_entities:[MessageEntity] "
        "quote_position:Integer checklist_task_id:Integer poll_option_id:String"
    ),
    "BotCommand": "command!:String description!:String",
    "BotCommandScopeDefault": "type!:String",
    "BotCommandScopeAllPrivateChats": "type!:String",
    "BotCommandScopeAllGroupChats": "type!:String",
    "BotCommandScopeAllChatAdministrators": "type!:String",
    "BotCommandScopeChat": "type!:String chat_id!:Integer|String",
    "BotCommandScopeChatAdministrators": "type!:String chat_id!:Integer|String",
    "BotCommandScopeChatMember": "type!:String chat_id!:Integer|String user_id!:Integer",
    "MenuButtonCommands": "type!:String",
    "MenuButtonWebApp": "type!:String text!:String web_app!:WebAppInfo",
    "MenuButtonDefault": "type!:String",
}

SUBTYPES: dict[str, list[str]] = {
    "BotCommandScope": [
        "BotCommandScopeDefault",
        "BotCommandScopeAllPrivateChats",
        "BotCommandScopeAllGroupChats",
        "BotCommandScopeAllChatAdministrators",
        "BotCommandScopeChat",
        "BotCommandScopeChatAdministrators",
        "BotCommandScopeChatMember",
    ],
    "MenuButton": ["MenuButtonCommands", "MenuButtonWebApp", "MenuButtonDefault"],
}
DISCRIMINATORS: dict[str, tuple[str, str]] = {
    "BotCommandScopeDefault": ("type", "default"),
    "BotCommandScopeAllPrivateChats": ("type", "all_private_chats"),
    "BotCommandScopeAllGroupChats": ("type", "all_group_chats"),
    "BotCommandScopeAllChatAdministrators": ("type", "all_chat_administrators"),
    "BotCommandScopeChat": ("type", "chat"),
    "BotCommandScopeChatAdministrators": ("type", "chat_administrators"),
    "BotCommandScopeChatMember": ("type", "chat_member"),
    "MenuButtonCommands": ("type", "commands"),
    "MenuButtonWebApp": ("type", "web_app"),
    "MenuButtonDefault": ("type", "default"),
}


def _type_name(token: str) -> str:
    if token.startswith("[") and token.endswith("]"):
        return "Array of " + _type_name(token[1:-1])
    return token


def _parse(line: str) -> list[Field]:
    fields = []
    for item in line.split():
        name, types = item.split(":", 1)
        required = name.endswith("!")
        fields.append(
            Field(name.rstrip("!"), tuple(_type_name(t) for t in types.split("|")), required)
        )
    return fields


def fallback_spec() -> ApiSpec:
    return ApiSpec(
        source="built-in parameter lists of the implemented methods",
        from_file=False,
        methods={name: _parse(line) for name, line in METHODS.items()},
        types={name: _parse(line) for name, line in TYPES.items()},
        subtypes={k: list(v) for k, v in SUBTYPES.items()},
        discriminators=dict(DISCRIMINATORS),
        string_ok={"KeyboardButton"},
    )
